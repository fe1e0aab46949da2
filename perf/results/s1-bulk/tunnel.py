import socket, struct

def open_download(gw, origin, direct=False):
    """A CONNECT tunnel through the proxy on port gw (or a direct connection) to the suite's bulk
    origin, which then sends zeros until the socket closes."""
    s = socket.create_connection(("127.0.0.1", origin if direct else gw))
    if not direct:
        s.sendall(b"CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (origin, origin))
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        assert head.startswith(b"HTTP/1.1 200"), head
    s.sendall(struct.pack("<q", 1 << 60))
    return s
