#!/usr/bin/python3
"""A real RTSP server for razz's integration tests and benchmarks (GStreamer RTSP server).

Serves H.264 MP4 files (see make_media.sh) on 127.0.0.1, paced at the file's real frame rate,
without re-encoding. One shared pipeline per mount, whatever the number of clients.

    rtsp_server.py --port 0 --file pets.mp4                      # rtsp://127.0.0.1:PORT/cam
    rtsp_server.py --port 8554 --mount /cam1=a.mp4 --mount /cam2=b.mp4 \
        --user admin --password s3cret --loop

Protocol: once the server listens it prints exactly one line to stdout,
    READY rtsp://127.0.0.1:PORT
(flushed), then serves until SIGTERM/SIGINT, on which it exits with status 0. Anything else
(errors, --verbose logging) goes to stderr. Bad arguments exit with status 2, a port that cannot
be bound with status 1, before any READY line.

Runs with Debian's Python and its gi bindings (python3-gi, gir1.2-gst-rtsp-server-1.0); run it
as /usr/bin/python3 (a pyenv/venv python3 on PATH does not see the gi module).
"""

import argparse
import os
import signal
import sys

# Hold SIGTERM/SIGINT until the main loop's handlers are in place, so that a stop request
# during startup still ends the process cleanly (status 0, no READY line).
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})

try:
    import gi

    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtsp", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer
except (ImportError, ValueError) as e:  # pragma: no cover - environment problem
    sys.stderr.write(
        "rtsp_server: GStreamer RTSP server bindings missing (%s); install python3-gi "
        "gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-{base,good,bad} and run with "
        "/usr/bin/python3\n" % e
    )
    sys.exit(1)

HOST = "127.0.0.1"
ROLE = "user"

verbose = False


def log(msg):
    if verbose:
        sys.stderr.write("rtsp_server: %s\n" % msg)
        sys.stderr.flush()


def launch_line(path):
    # GStreamer launch syntax: quote the location so paths with spaces work.
    loc = path.replace("\\", "\\\\").replace('"', '\\"')
    return (
        '( filesrc location="%s" ! qtdemux ! h264parse name=parse '
        "! rtph264pay name=pay0 pt=96 config-interval=1 )" % loc
    )


def make_unseekable(element):
    """Makes the media look like a live camera to the server: not seekable.

    Without this, every client's PLAY (ffmpeg sends "Range: npt=0.000-") seeks the shared
    pipeline back to the start, rewinding the stream under the clients already watching.
    Dropping the SEEKING query at the payloader makes the server treat the media as
    non-seekable, so a new client joins the stream where it is, as with a real camera.
    """

    def probe(_pad, info):
        if info.get_query().type == Gst.QueryType.SEEKING:
            return Gst.PadProbeReturn.DROP
        return Gst.PadProbeReturn.OK

    pay = element.get_by_name("pay0")
    pay.get_static_pad("src").add_probe(Gst.PadProbeType.QUERY_UPSTREAM, probe)


class Looper:
    """Restarts one media's file at its end so the stream never ends.

    A probe on h264parse's src pad swallows the EOS; from the main loop the demuxer is then
    seeked back to 0 (flushing, but the flush is swallowed too, so the payloader, rtpbin and
    the client sinks never see it), and h264parse's src pad gets an offset of the length
    played so far, so running time, RTP timestamps and real-time pacing carry on smoothly.
    """

    def __init__(self, mount, element):
        self.mount = mount
        self.demux = None
        it = element.iterate_recurse()
        while True:
            res, el = it.next()
            if res != Gst.IteratorResult.OK:
                break
            if el.get_factory() and el.get_factory().get_name() == "qtdemux":
                self.demux = el
        self.parse = element.get_by_name("parse")
        self.pad = self.parse.get_static_pad("src")
        self.seeking = False  # our own seek's flush/segment are on their way
        self.end = 0  # largest pts + duration seen in the current pass (segment time)
        self.loops = 0
        self.pad.add_probe(
            Gst.PadProbeType.BUFFER
            | Gst.PadProbeType.EVENT_DOWNSTREAM
            | Gst.PadProbeType.EVENT_FLUSH,
            self.probe,
        )

    def probe(self, pad, info):
        if info.type & Gst.PadProbeType.BUFFER:
            buf = info.get_buffer()
            if buf.pts != Gst.CLOCK_TIME_NONE:
                dur = buf.duration if buf.duration != Gst.CLOCK_TIME_NONE else 0
                self.end = max(self.end, buf.pts + dur)
            return Gst.PadProbeReturn.OK
        ev = info.get_event()
        t = ev.type
        if t == Gst.EventType.EOS:
            GLib.idle_add(self.restart)
            return Gst.PadProbeReturn.DROP
        if t in (Gst.EventType.FLUSH_START, Gst.EventType.FLUSH_STOP):
            if self.seeking:
                return Gst.PadProbeReturn.DROP
            if t == Gst.EventType.FLUSH_STOP:
                # A seek of the whole media (by the server): running time restarts from 0.
                pad.set_offset(0)
                self.end = 0
            return Gst.PadProbeReturn.OK
        if t == Gst.EventType.SEGMENT and self.seeking:
            self.seeking = False
        return Gst.PadProbeReturn.OK

    def restart(self):
        if self.demux is None:
            return False
        self.loops += 1
        self.pad.set_offset(self.pad.get_offset() + self.end)
        self.end = 0
        self.seeking = True
        ok = self.demux.seek_simple(
            Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0
        )
        log("%s: end of file, looping (pass %d, seek %s)" % (self.mount, self.loops + 1, ok))
        if not ok:
            self.seeking = False
        return False


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="RTSP test server: serves H.264 MP4 files on 127.0.0.1 in real time."
    )
    p.add_argument("--port", type=int, default=8554, help="TCP port; 0 picks a free one (default 8554)")
    p.add_argument("--file", help="MP4 (H.264) served by mounts given without =PATH")
    p.add_argument(
        "--mount",
        action="append",
        default=[],
        metavar="/PATH[=FILE]",
        help="mount point, repeatable; /cam2=FILE serves FILE there (default: /cam with --file)",
    )
    p.add_argument("--user", help="require RTSP authentication with this user for all mounts")
    p.add_argument("--password", help="password for --user")
    p.add_argument(
        "--auth",
        choices=("digest", "basic"),
        default="digest",
        help="scheme the server asks clients for (default digest, as most IP cameras)",
    )
    p.add_argument("--loop", action="store_true", help="restart each file at its end (never EOS)")
    p.add_argument(
        "--exit-on-stdin-eof",
        action="store_true",
        help="also exit when stdin reaches EOF (spawn with a piped stdin so that the server "
        "dies with its parent, even one killed without cleanup)",
    )
    p.add_argument("--verbose", action="store_true", help="log clients and loops to stderr")
    a = p.parse_args(argv)

    if not 0 <= a.port <= 65535:
        p.error("--port must be 0..65535")
    if (a.user is None) != (a.password is None):
        p.error("--user and --password go together")
    mounts = []
    for m in a.mount or ["/cam"]:
        path, sep, f = m.partition("=")
        if not sep:
            f = a.file
            if f is None:
                p.error("mount %s has no file: give --file or --mount %s=FILE" % (path, path))
        if not path.startswith("/") or len(path) < 2:
            p.error("mount %r must look like /cam" % path)
        if not os.path.isfile(f):
            p.error("no such file: %s" % f)
        if path in (x[0] for x in mounts):
            p.error("mount %s given twice" % path)
        mounts.append((path, os.path.abspath(f)))
    a.mounts = mounts
    return a


def main(argv):
    global verbose
    a = parse_args(argv)
    verbose = a.verbose
    Gst.init(None)

    server = GstRtspServer.RTSPServer()
    server.set_address(HOST)
    server.set_service(str(a.port))

    if a.user is not None:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", ROLE)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
        auth.add_digest(a.user, a.password, token)
        # The challenge (WWW-Authenticate) offers one scheme: the Python binding cannot pass
        # BASIC|DIGEST. Credentials sent with either scheme are accepted whatever is offered.
        auth.set_supported_methods(
            GstRtsp.RTSPAuthMethod.BASIC if a.auth == "basic" else GstRtsp.RTSPAuthMethod.DIGEST
        )
        server.set_auth(auth)

    mounts = server.get_mount_points()
    loopers = {}
    for path, f in a.mounts:
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(f))
        factory.set_shared(True)
        if a.user is not None:
            factory.add_role_from_structure(
                Gst.Structure.from_string(
                    "%s, media.factory.access=(boolean)true, "
                    "media.factory.construct=(boolean)true" % ROLE
                )[0]
            )

        def on_configure(_factory, media, path=path):
            log("%s: new pipeline" % path)
            make_unseekable(media.get_element())
            if a.loop:
                loopers[path] = Looper(path, media.get_element())

        factory.connect("media-configure", on_configure)
        mounts.add_factory(path, factory)
        log("serving %s at rtsp://%s:<port>%s" % (f, HOST, path))

    if verbose:
        server.connect(
            "client-connected",
            lambda _s, c: log("client connected from %s" % c.get_connection().get_ip()),
        )

    loop = GLib.MainLoop()
    try:
        # create_source + attach is server.attach(), but reports why binding failed.
        server.create_source(None).attach(None)
    except GLib.Error as e:
        sys.stderr.write("rtsp_server: cannot listen on %s:%d: %s\n" % (HOST, a.port, e.message))
        return 1
    port = server.get_bound_port()
    if port <= 0:
        sys.stderr.write("rtsp_server: cannot listen on %s:%d\n" % (HOST, a.port))
        return 1

    def stop(signame):
        log("%s: stopping" % signame)
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGTERM, stop, "SIGTERM")
    GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal.SIGINT, stop, "SIGINT")
    if signal.sigtimedwait({signal.SIGTERM, signal.SIGINT}, 0) is not None:
        log("stopped during startup")
        return 0
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})

    if a.exit_on_stdin_eof:

        def on_stdin(fd, _cond):
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if data:
                return GLib.SOURCE_CONTINUE
            return stop("stdin EOF")

        GLib.unix_fd_add_full(
            GLib.PRIORITY_DEFAULT,
            0,
            GLib.IOCondition.IN | GLib.IOCondition.HUP | GLib.IOCondition.ERR,
            on_stdin,
        )

    sys.stdout.write("READY rtsp://%s:%d\n" % (HOST, port))
    sys.stdout.flush()
    loop.run()
    return 0


if __name__ == "__main__":
    rc = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: running pipelines and their threads are simply dropped,
    # which is quick and what a camera outage looks like to clients anyway.
    os._exit(rc)
