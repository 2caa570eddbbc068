#!/usr/bin/python3
"""libtorrent 2.0 peer for Rhizome's interop tests, loopback only.

  lt_peer.py create SRC OUT.torrent [--hybrid] [--piece-size N]   prints v2 and v1 info-hashes
  lt_peer.py seed TORRENT SAVE_DIR                                  prints "LISTEN <port>", seeds until stdin closes
  lt_peer.py get TORRENT|MAGNET SAVE_DIR HOST:PORT [TIMEOUT]        downloads from that peer, prints "DONE"
  lt_peer.py leech TORRENT SAVE_DIR [TIMEOUT]                       prints "LISTEN <port>", reads one line of
                                                                    comma-separated HOST:PORT peers, downloads from
                                                                    them (timed from that line), prints "DONE", then
                                                                    seeds to the others until stdin closes

  seed and leech take --upload-limit BYTES_PER_SECOND (default 0: none); it applies to loopback
  peers too (libtorrent exempts local peers from limits unless told otherwise).
"""
import sys
import time
import threading
import libtorrent as lt


UPLOAD_LIMIT = 0


def session():
    s = lt.session({
        'upload_rate_limit': UPLOAD_LIMIT,
        'listen_interfaces': '127.0.0.1:0',
        'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False,
        'allow_multiple_connections_per_ip': True,
        'alert_mask': lt.alert.category_t.error_notification | lt.alert.category_t.status_notification,
        'enable_incoming_utp': False, 'enable_outgoing_utp': False,
        'in_enc_policy': 2, 'out_enc_policy': 2,
    })
    if UPLOAD_LIMIT:
        every_ip = lt.ip_filter()
        every_ip.add_rule('0.0.0.0', '255.255.255.255', 1 << lt.session.global_peer_class_id)
        s.set_peer_class_filter(every_ip)
    return s


def create(src, out, hybrid, piece_size):
    fs = lt.file_storage()
    lt.add_files(fs, src)
    flags = 0 if hybrid else lt.create_torrent.v2_only
    t = lt.create_torrent(fs, piece_size, flags=flags)
    import os
    lt.set_piece_hashes(t, os.path.dirname(os.path.abspath(src)))
    e = t.generate()
    data = lt.bencode(e)
    with open(out, 'wb') as f:
        f.write(data)
    ti = lt.torrent_info(out)
    ih = ti.info_hashes()
    print('V2', str(ih.v2))
    print('V1', str(ih.v1) if hybrid else '-')
    sys.stdout.flush()


def wait_stdin_closed():
    done = threading.Event()

    def reader():
        sys.stdin.read()
        done.set()
    threading.Thread(target=reader, daemon=True).start()
    return done


def seed(torrent, save):
    s = session()
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = save
    h = s.add_torrent(p)
    deadline = time.time() + 600
    while not h.status().is_seeding:
        if h.status().errc.value() != 0:
            print('ERROR', h.status().errc.message(), flush=True)
            sys.exit(2)
        if time.time() > deadline:
            print('ERROR not seeding after check', flush=True)
            sys.exit(2)
        time.sleep(0.05)
    print('LISTEN', s.listen_port(), flush=True)
    done = wait_stdin_closed()
    while not done.wait(0.5):
        pass


def get(what, save, peer, timeout):
    s = session()
    if what.startswith('magnet:'):
        p = lt.parse_magnet_uri(what)
    else:
        p = lt.add_torrent_params()
        p.ti = lt.torrent_info(what)
    p.save_path = save
    h = s.add_torrent(p)
    host, port = peer.rsplit(':', 1)
    start = time.time()
    last_connect = 0
    while True:
        st = h.status()
        if st.is_seeding:
            print('DONE %.3f %d' % (time.time() - start, st.total_payload_download), flush=True)
            return
        if time.time() - start > timeout:
            print('ERROR timeout progress=%.3f peers=%d' % (st.progress, st.num_peers), flush=True)
            sys.exit(3)
        if st.num_peers == 0 and time.time() - last_connect > 1:
            h.connect_peer((host, int(port)))
            last_connect = time.time()
        time.sleep(0.05)


def leech(torrent, save, timeout):
    s = session()
    p = lt.add_torrent_params()
    p.ti = lt.torrent_info(torrent)
    p.save_path = save
    p.flags |= lt.torrent_flags.paused
    h = s.add_torrent(p)
    print('LISTEN', s.listen_port(), flush=True)
    peers = [a.rsplit(':', 1) for a in sys.stdin.readline().strip().split(',') if a]
    start = time.time()
    h.resume()
    for host, port in peers:
        h.connect_peer((host, int(port)))
    while True:
        st = h.status()
        if st.is_seeding:
            print('DONE %.3f %d' % (time.time() - start, st.total_payload_download), flush=True)
            break
        if time.time() - start > timeout:
            print('ERROR timeout progress=%.3f peers=%d' % (st.progress, st.num_peers), flush=True)
            sys.exit(3)
        time.sleep(0.02)
    done = wait_stdin_closed()
    while not done.wait(0.5):
        pass


def main():
    global UPLOAD_LIMIT
    if '--upload-limit' in sys.argv:
        i = sys.argv.index('--upload-limit')
        UPLOAD_LIMIT = int(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    cmd = sys.argv[1]
    if cmd == 'create':
        hybrid = '--hybrid' in sys.argv
        piece = 0
        if '--piece-size' in sys.argv:
            piece = int(sys.argv[sys.argv.index('--piece-size') + 1])
        create(sys.argv[2], sys.argv[3], hybrid, piece)
    elif cmd == 'seed':
        seed(sys.argv[2], sys.argv[3])
    elif cmd == 'get':
        get(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]) if len(sys.argv) > 5 else 120)
    elif cmd == 'leech':
        leech(sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 600)
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
