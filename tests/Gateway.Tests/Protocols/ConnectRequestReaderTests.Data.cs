using System.Buffers;
using System.Text;
using Gateway.Protocols;

namespace Gateway.Tests.Protocols;

public partial class ConnectRequestReaderTests
{
    public static TheoryData<string, string, int, int, string?> ValidHeads => new()
    {
        { CurlHead, "api.example.test", 443, 1, null },
        { "CONNECT api.example.test:443 HTTP/1.1\r\n\r\n", "api.example.test", 443, 1, null },
        {
            "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\nProxy-Authorization: Basic ZGV2OnMzY3JldA==\r\nUser-Agent: agent/1.0\r\n\r\n",
            "api.example.test", 443, 1, "Basic ZGV2OnMzY3JldA=="
        },
        { "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n", "[2001:db8::1]", 8443, 1, null },
        { "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]\r\n\r\n", "[::1]", 443, 1, null },
        { "CONNECT api.example.test:443 HTTP/1.0\r\n\r\n", "api.example.test", 443, 0, null },
        { "CONNECT 192.0.2.10:22 HTTP/1.0\r\nProxy-Authorization: Bearer t0k3n\r\n\r\n", "192.0.2.10", 22, 0, "Bearer t0k3n" },
        { "CONNECT API.Example.Test:1 HTTP/1.1\r\nhost: api.example.test\r\n\r\n", "API.Example.Test", 1, 1, null },
        { "CONNECT a.example.test.:65535 HTTP/1.1\r\nHOST:a.example.test.:65535\r\n\r\n", "a.example.test.", 65535, 1, null },
        {
            "CONNECT api.example.test:443 HTTP/1.1\r\nX-Empty:\r\nX-Ows: \t spaced value \t\r\nX-Obs-Text: caf\u00e9\r\nContent-Length: 0\r\nproxy-authorization:  Basic  x \r\n\r\n",
            "api.example.test", 443, 1, "Basic  x"
        },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nProxy-Authorization:\r\n\r\n", "api.example.test", 443, 1, "" },
        { "CONNECT xn--bcher-kva.example.test:443 HTTP/1.1\r\n\r\n", "xn--bcher-kva.example.test", 443, 1, null },
        { $"CONNECT {new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 58)}.test:443 HTTP/1.1\r\n\r\n", $"{new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.{new string('d', 58)}.test", 443, 1, null },
        { $"CONNECT api.example.test:443 HTTP/1.1\r\nProxy-Authorization: {new string('t', 1024)}\r\n\r\n", "api.example.test", 443, 1, new string('t', 1024) },
    };

    public static TheoryData<string, string> MalformedHeads => new()
    {
        // Authority.
        { "CONNECT user:secret@api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.UserinfoInAuthority) },
        { "CONNECT @api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.UserinfoInAuthority) },
        { "CONNECT api.example.test:443/x@y HTTP/1.1\r\n\r\n", nameof(ConnectRejection.UserinfoInAuthority) },
        { "CONNECT api.example.test:443/x HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT api.example.test:443?x=1 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT api.example.test:443#f HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT https://api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT :443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT 2001:db8::1:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT [2001:db8::1:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT []:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT [::1]443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT [::[1]]:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT api<x>.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { "CONNECT b\u00fccher.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { $"CONNECT {new string('a', 256)}:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },
        { $"CONNECT [{new string('1', 254)}]:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidAuthority) },

        // Control bytes and spaces in the request line.
        { "CONNECT api.exa\rmple.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.exa\nmple.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test\0:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443\0 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example .test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443\tHTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT\tapi.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT  api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443  HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 HTTP/1.1 \r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 \r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT \r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 HTTP/1.1\x7f\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },

        // Method and version.
        { "connect api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "Connect api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECt api.example.test:443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 HTTP/1.2\r\n\r\n", nameof(ConnectRejection.UnsupportedVersion) },
        { "CONNECT api.example.test:443 HTTP/2.0\r\n\r\n", nameof(ConnectRejection.UnsupportedVersion) },
        { "CONNECT api.example.test:443 HTTP/0.9\r\n\r\n", nameof(ConnectRejection.UnsupportedVersion) },
        { "CONNECT api.example.test:443 http/1.1\r\n\r\n", nameof(ConnectRejection.UnsupportedVersion) },
        { "CONNECT api.example.test:443 HTTP/1.10\r\n\r\n", nameof(ConnectRejection.UnsupportedVersion) },
        { "CONNECT api.example.test:443 HTTP/1\r\n\r\n", nameof(ConnectRejection.UnsupportedVersion) },

        // Port.
        { "CONNECT api.example.test HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test: HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:0 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:65536 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:99999 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:4430000000 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:abc HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:0443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:+443 HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT api.example.test:44x HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT [::1] HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },
        { "CONNECT [::1]: HTTP/1.1\r\n\r\n", nameof(ConnectRejection.InvalidPort) },

        // Line ends: strict CRLF.
        { "CONNECT api.example.test:443 HTTP/1.1\n\r\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 HTTP/1.1\n\n", nameof(ConnectRejection.MalformedRequestLine) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\n\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX-A: a\rb\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX-A: a\r\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },

        // Header lines.
        { "CONNECT api.example.test:443 HTTP/1.1\r\nUser-Agent: curl\r\n /7.88.1\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nUser-Agent: curl\r\n\t/7.88.1\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\n Host: api.example.test:443\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX-No-Colon\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\n: no-name\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost : api.example.test:443\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX(A): b\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX-A: a\0b\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX-A: a\x7f\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nX-A: a\x1b[0m\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },

        // Fields that change how the head is understood.
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\nHost: api.example.test:443\r\n\r\n", nameof(ConnectRejection.DuplicateHost) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost: other.example.test:443\r\n\r\n", nameof(ConnectRejection.ConflictingHost) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:8443\r\n\r\n", nameof(ConnectRejection.ConflictingHost) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:0443\r\n\r\n", nameof(ConnectRejection.ConflictingHost) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nHost:\r\n\r\n", nameof(ConnectRejection.ConflictingHost) },
        { "CONNECT [::1]:443 HTTP/1.1\r\nHost: ::1\r\n\r\n", nameof(ConnectRejection.ConflictingHost) },
        {
            "CONNECT api.example.test:443 HTTP/1.1\r\nProxy-Authorization: Basic YTpi\r\nProxy-Authorization: Basic Yzpk\r\n\r\n",
            nameof(ConnectRejection.DuplicateProxyAuthorization)
        },
        { $"CONNECT api.example.test:443 HTTP/1.1\r\nProxy-Authorization: {new string('t', 1025)}\r\n\r\n", nameof(ConnectRejection.MalformedHeader) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", nameof(ConnectRejection.ContentNotAllowed) },
        { "CONNECT api.example.test:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", nameof(ConnectRejection.ContentNotAllowed) },
    };

    public static TheoryData<string> NotConnectHeads => new()
    {
        "GET http://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: api.example.test\r\nContent-Length: 2\r\n\r\n{}",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        "\r\nCONNECT api.example.test:443 HTTP/1.1\r\n\r\n",
        "CONNECTX api.example.test:443 HTTP/1.1\r\n\r\n",
        "connectx api.example.test:443 HTTP/1.1\r\n\r\n",
        "COPY /x HTTP/1.1\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "\0\0\0\0",
    };
}
