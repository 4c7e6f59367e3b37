"""Account discovery: which sites have an account under a username (issues 3 and 17).

catalogue.py  Site and Catalogue: the WhatsMyName format, loaded and validated
formats.py    Sherlock's and Maigret's formats read into the same Site rules
lists.py      the merged catalogue: installed copies, else the bundled lists/ snapshots
update.py     `sites update`: fetch each community list, keep the last good copy
walls.py      captcha / WAF / bot-wall pages: a wall is "blocked", never "found"
check.py      the verdict engine: one request per site and username, streamed concurrently
"""
