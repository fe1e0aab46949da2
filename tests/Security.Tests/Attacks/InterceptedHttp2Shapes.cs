using System.Globalization;
using Security.Tests.Harness;
using static Security.Tests.Attacks.InterceptedHttp2SmugglingAttackTests;

namespace Security.Tests.Attacks;

/// <summary>
/// The hostile HTTP/2 requests of <see cref="InterceptedHttp2SmugglingAttackTests"/>, each on stream 1
/// of a fresh connection, with what the gateway must make of it. RFC 9113 §8.2.1 (field validity),
/// §8.2.2 (connection-specific fields, te), §8.3 (pseudo-headers), §8.1.1 (content-length), §8.5
/// (CONNECT), §6.10 (CONTINUATION).
/// </summary>
internal static class InterceptedHttp2Shapes
{
    public static readonly Dictionary<string, (Expect Expect, Func<RawHttp2Connection, Context, Task> Send)> All = new()
    {
        // Body framing: content-length against the DATA frames (§8.1.1), and HTTP/1.1 framing inside h2.
        ["content-length above the DATA total"] = (Expect.ForwardedThenReset, (h2, c) => Body(h2, [.. c.Post, ("content-length", "100")], "hello")),
        ["content-length below the DATA total"] = (Expect.ForwardedThenReset, (h2, c) => Body(h2, [.. c.Post, ("content-length", "5")], "hello" + c.Hidden)),
        ["content-length 0 with DATA"] = (Expect.ForwardedThenReset, (h2, c) => Body(h2, [.. c.Post, ("content-length", "0")], c.Hidden)),
        ["two conflicting content-length"] = (Expect.Refused, (h2, c) => Body(h2, [.. c.Post, ("content-length", "5"), ("content-length", Len(c))], "hello" + c.Hidden)),
        ["content-length list"] = (Expect.Refused, (h2, c) => Body(h2, [.. c.Post, ("content-length", "5, " + Len(c))], "hello" + c.Hidden)),
        ["transfer-encoding chunked"] = (Expect.Refused, (h2, c) => Body(h2, [.. c.Post, ("transfer-encoding", "chunked")], "0\r\n\r\n" + c.Hidden)),
        ["transfer-encoding chunked with content-length"] = (Expect.Refused, (h2, c) => Body(h2, [.. c.Post, ("content-length", Len(c, 5)), ("transfer-encoding", "chunked")], "0\r\n\r\n" + c.Hidden)),
        ["te trailers"] = (Expect.Forwarded, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("te", "trailers")], endStream: true)),
        ["te gzip"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("te", "gzip")], endStream: true)),

        // Connection-specific fields (§8.2.2).
        ["connection"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("connection", "keep-alive")], endStream: true)),
        ["keep-alive"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("keep-alive", "timeout=5")], endStream: true)),
        ["proxy-connection"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("proxy-connection", "keep-alive")], endStream: true)),
        ["upgrade"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("upgrade", "h2c")], endStream: true)),

        // Field names and values (§8.2.1).
        ["CR in a value"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", "a\rb"))),
        ["LF in a value"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", "a\n" + c.Hidden))),
        ["CRLF header injection"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", "a\r\nTransfer-Encoding: chunked"))),
        ["CRLF request injection"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", "a\r\n\r\n" + c.Hidden))),
        ["NUL in a value"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", "a\0b"))),
        ["leading space in a value"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", " a"))),
        ["trailing space in a value"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h", "a "))),
        ["upper-case name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("X-H", "a"))),
        ["upper-case host name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("Host", c.Other))),
        ["colon in a name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x:h", "a"))),
        ["leading space in a name"] = (Expect.Refused, (h2, c) => Get(h2, c, (" x-h", "a"))),
        ["trailing space in a name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("transfer-encoding ", "chunked"))),
        ["CR LF in a name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x-h\r\ntransfer-encoding", "chunked"))),
        ["NUL in a name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("x\0h", "a"))),
        ["empty name"] = (Expect.Refused, (h2, c) => Get(h2, c, ("", "a"))),

        // Pseudo-headers (§8.3).
        ["pseudo-header after a regular one"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", c.Authority), ("x-h", "a"), (":path", "/a")], endStream: true)),
        ["duplicate :path"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, (":path", "/smuggled")], endStream: true)),
        ["duplicate :method"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, (":method", "DELETE")], endStream: true)),
        ["duplicate :authority"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, (":authority", c.Other)], endStream: true)),
        ["unknown pseudo-header"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, (":host", c.Other)], endStream: true)),
        ["missing :method"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":scheme", "https"), (":authority", c.Authority), (":path", "/a")], endStream: true)),
        ["missing :path"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", c.Authority)], endStream: true)),
        ["missing :scheme"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":authority", c.Authority), (":path", "/a")], endStream: true)),

        // Authority (invariant 4): whatever the fields say, only the decided host is dialled and credentialed.
        [":authority and host disagree"] = (Expect.Forwarded, (h2, c) => Get(h2, c, ("host", c.Other))), // Kestrel keeps :authority as Host
        ["host and :authority disagree"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", c.Other), (":path", "/a"), ("host", c.Authority), ("authorization", c.Placeholder)], endStream: true)),
        [":authority names another host"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", c.Other), (":path", "/a"), ("authorization", c.Placeholder)], endStream: true)),
        ["host names another host, no :authority"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":path", "/a"), ("host", c.Other), ("authorization", c.Placeholder)], endStream: true)),
        [":authority with userinfo"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", c.Authority + "@" + c.Other), (":path", "/a")], endStream: true)),

        // :path (§8.3.1).
        [":path with a space"] = (Expect.Forwarded, (h2, c) => Path(h2, c, "/a b")),
        [":path with CR LF"] = (Expect.Refused, (h2, c) => Path(h2, c, "/a HTTP/1.1\r\nHost: " + c.Authority + "\r\n\r\n" + c.Hidden)),
        [":path query with CR LF"] = (Expect.Refused, (h2, c) => Path(h2, c, "/a?x HTTP/1.1\r\nHost: " + c.Authority + "\r\n\r\n" + c.Hidden)),
        [":path with percent-encoded CR LF"] = (Expect.Forwarded, (h2, c) => Path(h2, c, "/a%0d%0aX-Injected:%20y")),
        [":path absolute-form to another host"] = (Expect.Refused, (h2, c) => Path(h2, c, "https://" + c.Other + "/smuggled")),
        [":path * with GET"] = (Expect.Refused, (h2, c) => Path(h2, c, "*")),
        [":path empty"] = (Expect.Refused, (h2, c) => Path(h2, c, "")),

        // CONNECT inside the intercepted connection (§8.5, RFC 8441): a tunnel in the tunnel.
        ["CONNECT"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "CONNECT"), (":authority", c.Authority)], endStream: false)),
        ["CONNECT to another host"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "CONNECT"), (":authority", c.Other)], endStream: false)),
        ["extended CONNECT"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [(":method", "CONNECT"), (":protocol", "connect-ip"), (":scheme", "https"), (":authority", c.Authority), (":path", "/a")], endStream: false)),

        // Trailers (§8.1): framing and routing fields, pseudo-headers, forbidden bytes. Kestrel hands
        // the first three to the application after the body; an HTTP/1.1 upstream gets the body
        // framed by the DATA frames' content-length and no trailers, so they change nothing.
        ["content-length in trailers"] = (Expect.Forwarded, (h2, c) => Trailers(h2, c, ("content-length", Len(c, 5)))),
        ["host in trailers"] = (Expect.Forwarded, (h2, c) => Trailers(h2, c, ("host", c.Other))),
        ["pseudo-header in trailers"] = (Expect.Refused, (h2, c) => Trailers(h2, c, (":path", "/smuggled"))),
        ["CRLF in a trailer"] = (Expect.Forwarded, (h2, c) => Trailers(h2, c, ("x-t", "a\r\n\r\n" + c.Hidden))),

        // Header block size (§6.10, CVE-2024-27316 and kin): refused, bounded, the daemon survives.
        ["1 MiB header block over CONTINUATION"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, .. ManyFields(1024, 1024)], endStream: true, fragment: 16 * 1024)),
        ["one 64 KiB value over CONTINUATION"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, ("x-big", new string('a', 64 * 1024))], endStream: true, fragment: 1024)),
        ["CONTINUATION flood of 1-byte frames"] = (Expect.Refused, (h2, c) => h2.SendHeadersAsync(1, [.. c.Get, .. ManyFields(20_000, 1)], endStream: true, fragment: 1)),
        ["CONTINUATION flood of empty frames"] = (Expect.Forwarded, EmptyContinuationFloodAsync),
    };

    private static Task Get(RawHttp2Connection h2, Context c, params (string, string)[] extra) => h2.SendHeadersAsync(1, [.. c.Get, .. extra], endStream: true);

    private static Task Path(RawHttp2Connection h2, Context c, string path) =>
        h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", c.Authority), (":path", path)], endStream: true);

    private static async Task Body(RawHttp2Connection h2, (string, string)[] fields, string body)
    {
        await h2.SendHeadersAsync(1, fields, endStream: false);
        await h2.SendDataAsync(1, body, endStream: true);
    }

    private static async Task Trailers(RawHttp2Connection h2, Context c, params (string, string)[] trailers)
    {
        await h2.SendHeadersAsync(1, [.. c.Post, ("content-length", "5")], endStream: false);
        await h2.SendDataAsync(1, "hello", endStream: false);
        await h2.SendHeadersAsync(1, trailers, endStream: true);
    }

    // A header block that never grows: HEADERS without END_HEADERS, then 100,000 empty CONTINUATION
    // frames. Kestrel reads them at the sender's pace (9 bytes each, nothing kept) and then serves
    // the request: bounded, so it is forwarded once, cleanly.
    private static async Task EmptyContinuationFloodAsync(RawHttp2Connection h2, Context c)
    {
        await h2.SendFrameAsync(RawHttp2Connection.Headers, RawHttp2Connection.EndStream, 1, RawHpack.Encode(c.Get));
        byte[] empty = new byte[9 * 1000];
        for (int i = 0; i < 1000; i++)
        {
            empty[(i * 9) + 3] = RawHttp2Connection.Continuation;
            empty[(i * 9) + 8] = 1;
        }

        for (int burst = 0; burst < 100 && !h2.WriteFailed; burst++)
        {
            await h2.WriteRawAsync(empty);
        }

        await h2.SendFrameAsync(RawHttp2Connection.Continuation, RawHttp2Connection.EndHeaders, 1, RawHpack.Encode([("x-last", "a")]));
    }

    private static (string, string)[] ManyFields(int count, int size)
    {
        var fields = new (string, string)[count];
        for (int i = 0; i < count; i++)
        {
            fields[i] = ("x-f" + i.ToString(CultureInfo.InvariantCulture), new string('v', size));
        }

        return fields;
    }

    private static string Len(Context c, int extra = 5) => (extra + c.Hidden.Length).ToString(CultureInfo.InvariantCulture);

    /// <summary>What a shape needs to build its frames: the bound authority, another allowed one, the sandbox's placeholder.</summary>
    internal sealed record Context(string Authority, string Other, string Placeholder)
    {
        /// <summary>A request to other.example.test hidden as HTTP/1.1 bytes: a second request if anything downgrades it unframed.</summary>
        public string Hidden => $"GET /smuggled HTTP/1.1\r\nHost: {Other}\r\nAuthorization: {Placeholder}\r\n\r\n";

        public (string, string)[] Post => [(":method", "POST"), (":scheme", "https"), (":authority", Authority), (":path", "/a")];

        public (string, string)[] Get => [(":method", "GET"), (":scheme", "https"), (":authority", Authority), (":path", "/a")];
    }
}
