#!/usr/bin/python3
"""A local SMTP server for the mail tests (Debian's python3-aiosmtpd): every message it accepts
is written whole, as received, to a file of its own in FOLDER (written, fsynced, then renamed to
<pid>-<n>.eml, so that a reader never sees half a message).

    smtp_sink.py PORT FOLDER [--starttls CERT KEY]

Prints "pronto" once it listens on 127.0.0.1:PORT, and runs until it is killed or stdin closes.
With --starttls it offers STARTTLS and refuses mail before it (require_starttls). The mailboxes
sconosciuto@... and pieno@... refuse their mail (550 and 452).
"""
import itertools
import os
import ssl
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # Two mailboxes refuse, as real relays do: one for good (5xx), one for now (4xx).
        if address.startswith("sconosciuto@"):
            return "550 5.1.1 utente sconosciuto"
        if address.startswith("pieno@"):
            return "452 4.2.2 casella piena"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.numbers)
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8")
        temp = os.path.join(self.folder, ".%d-%05d.tmp" % (os.getpid(), n))
        with open(temp, "wb") as out:
            out.write(b"X-Sink-Rcpt-To: " + ",".join(envelope.rcpt_tos).encode("utf-8") + b"\r\n")
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.rename(temp, os.path.join(self.folder, "%d-%05d.eml" % (os.getpid(), n)))
        return "250 OK"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    options = {}
    if len(sys.argv) >= 6 and sys.argv[3] == "--starttls":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(sys.argv[4], sys.argv[5])
        options = {"tls_context": context, "require_starttls": True}
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port, **options)
    controller.start()
    print("pronto", flush=True)
    try:
        sys.stdin.read()  # until the test closes the pipe or kills the process
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
