class CampaignError(Exception):
    """A change to a campaign, its catalogue or its targets that the rules refuse; the message is
    for users."""
