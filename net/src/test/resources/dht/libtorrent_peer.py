#!/usr/bin/python3
"""A libtorrent session with only the DHT enabled, driven line by line over stdin/stdout.

Usage: libtorrent_peer.py BOOTSTRAP_HOST:PORT SAVE_DIR
Prints "READY <dht port>" once listening on 127.0.0.1, then answers commands:
  announce <infohash hex>            -> "OK announce"; adds the torrent as a magnet link, so
                                        libtorrent announces it (on its listen port, which is
                                        also its DHT port) the way any client does; the Python
                                        binding does not expose dht_announce's flags type
  get_peers <infohash hex>           -> "PEERS <infohash hex> ip:port ..." when the lookup ends
  get_mutable <key hex> <salt>       -> "MUTABLE <seq> <value as libtorrent prints it>" or "MUTABLE none",
                                        once libtorrent has verified the signature
  put_mutable <secret hex> <key hex> <bencoded value hex> <salt>
                                     -> "PUT <count libtorrent reports>" when the put ends
                                        (secret: the 64-byte expanded Ed25519 key libtorrent uses;
                                        the binding stores the value bytes as a bencoded string)
  quit
Every wait is bounded; the process exits by itself after 120 s or when stdin closes.
Only loopback addresses are ever used.
"""
import binascii
import select
import sys
import time

import libtorrent as lt

LIFETIME_SECONDS = 120


def out(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main():
    bootstrap = sys.argv[1]
    save_dir = sys.argv[2]
    host = bootstrap.rsplit(":", 1)[0]
    if not host.startswith("127."):
        out("ERROR bootstrap must be a loopback address")
        return 2
    settings = {
        "listen_interfaces": "127.0.0.1:0",
        "enable_dht": True,
        "enable_lsd": False,
        "enable_upnp": False,
        "enable_natpmp": False,
        "enable_incoming_utp": False,
        "enable_outgoing_utp": False,
        "dht_bootstrap_nodes": bootstrap,
        "dht_restrict_routing_ips": False,
        "dht_restrict_search_ips": False,
        "dht_ignore_dark_internet": False,
        "dht_prefer_verified_node_ids": False,
        "dht_enforce_node_id": False,
        "alert_mask": lt.alert.category_t.all_categories,
    }
    ses = lt.session(settings)
    deadline = time.time() + 10
    while not ses.is_listening() and time.time() < deadline:
        time.sleep(0.05)
    out("READY %d" % ses.listen_port())

    waiting_peers = {}   # info-hash hex -> True while a get_peers lookup runs
    waiting_mutable = False
    waiting_put = False
    end = time.time() + LIFETIME_SECONDS
    while time.time() < end:
        ready, _, _ = select.select([sys.stdin], [], [], 0.05)
        if ready:
            line = sys.stdin.readline()
            if not line:
                return 0
            parts = line.split()
            if not parts:
                continue
            cmd = parts[0]
            if cmd == "quit":
                return 0
            elif cmd == "announce":
                params = lt.parse_magnet_uri("magnet:?xt=urn:btih:" + parts[1])
                params.save_path = save_dir
                ses.add_torrent(params)
                out("OK announce")
            elif cmd == "get_peers":
                waiting_peers[parts[1]] = True
                ses.dht_get_peers(lt.sha1_hash(binascii.unhexlify(parts[1])))
            elif cmd == "put_mutable":
                waiting_put = True
                ses.dht_put_mutable_item(binascii.unhexlify(parts[1]), binascii.unhexlify(parts[2]),
                                         binascii.unhexlify(parts[3]), parts[4].encode())
            elif cmd == "get_mutable":
                waiting_mutable = True
                ses.dht_get_mutable_item(binascii.unhexlify(parts[1]), parts[2].encode())
            else:
                out("ERROR unknown command %s" % cmd)
        for a in ses.pop_alerts():
            if isinstance(a, lt.dht_get_peers_reply_alert):
                h = str(a.info_hash)
                if waiting_peers.pop(h, None):
                    peers = ["%s:%d" % (p[0], p[1]) for p in a.peers()]
                    out("PEERS %s %s" % (h, " ".join(peers)))
            elif isinstance(a, lt.dht_put_alert) and waiting_put:
                waiting_put = False
                out("PUT %d" % a.num_success)
            elif isinstance(a, lt.dht_mutable_item_alert) and waiting_mutable:
                if a.authoritative:
                    waiting_mutable = False
                    if a.seq > 0:
                        # The binding cannot convert this entry to Python (RuntimeError), so report
                        # the value as libtorrent prints it in the alert message.
                        printed = a.message().split("[", 1)[-1].rsplit("]", 1)[0]
                        out("MUTABLE %d %s" % (a.seq, " ".join(printed.split())))
                    else:
                        out("MUTABLE none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
