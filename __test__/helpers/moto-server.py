# moto's S3-compatible server, answering one request at a time; the tests (JS and Rust)
# and the demo all start moto through this file. Arguments are moto_server's (-H, -p).
#
# moto checks `If-None-Match: *` and then stores the object as two steps, so in its
# default threaded server two concurrent conditional PUTs can both succeed (seen on a
# loaded 2-core machine: 2 of 8 concurrent publishes "won"). S3 makes that write atomic;
# serving requests one by one gives moto the same guarantee, which the concurrent-publish
# test relies on. (werkzeug's single-threaded server speaks HTTP/1.0: one request per
# connection.)
import sys

import moto.server
from werkzeug import serving


def run_simple(*args, **kwargs):
    kwargs["threaded"] = False
    return serving.run_simple(*args, **kwargs)


moto.server.run_simple = run_simple
moto.server.main(sys.argv[1:])
