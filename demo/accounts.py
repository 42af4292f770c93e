"""The demo city of the source document (阜康市, 昌吉回族自治州) and its demo logins.

`seed_demo` builds it; `serve_demo` and the README print the logins from here.
"""

from units.models import Role, UnitKind

DEMO_PASSWORD = "Fukang-2010"

# (code, parent code, name, kind)
DEMO_UNITS: list[tuple[str, str | None, str, str]] = [
    ("CJZ", None, "中共昌吉回族自治州委员会", UnitKind.PARTY_COMMITTEE),
    ("FK", "CJZ", "中共阜康市委员会", UnitKind.PARTY_COMMITTEE),
    ("FK-ZGH", "FK", "阜康市总工会", UnitKind.TRADE_UNION),
    ("FK-TSW", "FK", "共青团阜康市委", UnitKind.LEAGUE_COMMITTEE),
    ("FK-FL", "FK", "阜康市妇女联合会", UnitKind.WOMEN_FEDERATION),
    # 基层党(工)委 and, under each, the branches and the mass organisations they lead.
    ("JG", "FK", "市直机关党工委", UnitKind.PARTY_WORKING_COMMITTEE),
    ("JG-ZB1", "JG", "市委办公室党支部", UnitKind.PARTY_BRANCH),
    ("JG-ZB2", "JG", "市财政局党支部", UnitKind.PARTY_BRANCH),
    ("JG-GH", "JG", "市直机关工会", UnitKind.TRADE_UNION),
    ("JG-TW", "JG", "市直机关团委", UnitKind.LEAGUE_COMMITTEE),
    ("JG-FW", "JG", "市直机关妇委会", UnitKind.WOMEN_COMMITTEE),
    ("CG", "FK", "城关镇党委", UnitKind.PARTY_COMMITTEE),
    ("CG-ZB1", "CG", "城关镇西大街社区党支部", UnitKind.PARTY_BRANCH),
    ("CG-ZB2", "CG", "城关镇卡子湾村党支部", UnitKind.PARTY_BRANCH),
    ("CG-GH", "CG", "城关镇工会", UnitKind.TRADE_UNION),
    ("CG-TW", "CG", "城关镇团委", UnitKind.LEAGUE_COMMITTEE),
    ("CG-TZB", "CG-TW", "卡子湾村团支部", UnitKind.LEAGUE_BRANCH),
    ("CG-FL", "CG", "城关镇妇联", UnitKind.WOMEN_FEDERATION),
    ("JYJ", "FK", "九运街镇党委", UnitKind.PARTY_COMMITTEE),
    ("JYJ-ZB1", "JYJ", "九运街镇六运村党支部", UnitKind.PARTY_BRANCH),
    ("JYJ-GH", "JYJ", "九运街镇工会", UnitKind.TRADE_UNION),
    ("JYJ-TW", "JYJ", "九运街镇团委", UnitKind.LEAGUE_COMMITTEE),
    ("JYJ-FL", "JYJ", "九运街镇妇联", UnitKind.WOMEN_FEDERATION),
    ("YQ", "FK", "阜康产业园党工委", UnitKind.PARTY_WORKING_COMMITTEE),
    ("YQ-ZB1", "YQ", "园区化工企业联合党支部", UnitKind.PARTY_BRANCH),
    ("YQ-GH", "YQ", "园区企业联合工会", UnitKind.TRADE_UNION),
    ("YQ-TZB", "YQ", "园区非公企业团支部", UnitKind.LEAGUE_BRANCH),
    ("YQ-FW", "YQ", "园区妇委会", UnitKind.WOMEN_COMMITTEE),
]

# Co-building pairs (结对共建) outside the tree: (code, code, note)
DEMO_PAIRS: list[tuple[str, str, str]] = [
    ("JG-ZB2", "CG-ZB2", "机关支部与村支部结对共建"),
    ("JG-TW", "YQ-TZB", "机关团委与园区团支部手拉手、结对子"),
    ("FK-FL", "JYJ-FL", "巾帼建功结对帮扶"),
]

# (username, name, [(unit code, role), …]) — every role at more than one level.
DEMO_USERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("admin", "系统管理员", [("CJZ", Role.ADMIN)]),
    ("city_admin", "市委组织部管理员", [("FK", Role.ADMIN)]),
    ("city_leader", "市委分管领导", [("FK", Role.LEADER)]),
    ("city_reviewer", "市创先争优办审核员", [("FK", Role.REVIEWER)]),
    ("jg_admin", "机关党工委管理员", [("JG", Role.ADMIN)]),
    ("jg_leader", "机关党工委书记", [("JG", Role.LEADER)]),
    ("jg_reviewer", "机关党工委审核员", [("JG", Role.REVIEWER)]),
    ("cg_reviewer", "城关镇党委审核员", [("CG", Role.REVIEWER)]),
    ("cg_leader", "城关镇党委书记", [("CG", Role.LEADER)]),
    ("union_staff", "市总工会填报员", [("FK-ZGH", Role.STAFF)]),
    ("jg_staff", "市委办公室支部填报员", [("JG-ZB1", Role.STAFF), ("JG-GH", Role.STAFF)]),
    ("cg_staff", "西大街社区填报员", [("CG-ZB1", Role.STAFF)]),
    ("league_staff", "卡子湾村团支部填报员", [("CG-TZB", Role.STAFF), ("CG-TW", Role.STAFF)]),
    ("women_staff", "城关镇妇联填报员", [("CG-FL", Role.STAFF)]),
    ("yq_staff", "园区工会填报员", [("YQ-GH", Role.STAFF)]),
]


def demo_logins() -> list[tuple[str, str]]:
    """(username, what they are) for the README and the start-up banner."""
    return [(username, name) for username, name, _ in DEMO_USERS]
