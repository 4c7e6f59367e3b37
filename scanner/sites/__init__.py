"""Account discovery: which sites have an account under a username (issue 3).

catalogue.py  Site and Catalogue: the WhatsMyName format, loaded and validated
update.py     `sites update`: fetch the community WhatsMyName data, keep the last good copy
walls.py      captcha / WAF / bot-wall pages: a wall is "blocked", never "found"
check.py      the verdict engine: one request per site and username, streamed concurrently
"""
