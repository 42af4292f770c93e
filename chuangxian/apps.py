from django.apps import AppConfig


class ChuangxianConfig(AppConfig):
    name = "chuangxian"
    verbose_name = "Chuangxian"
