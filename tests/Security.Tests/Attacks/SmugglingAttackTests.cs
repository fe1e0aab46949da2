using System.Text;
using Gateway.Tests.Listeners;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// Request smuggling on the L7 path as it exists today: absolute-form requests on the forward
/// port (Kestrel parses, YARP forwards). Each shape hides a second request, to a host the
/// policy blocks, behind ambiguous framing. Whatever Kestrel makes of it, the hidden request
/// never reaches the upstream undecided: it is refused (400), or read as a request of its own
/// and decided (403), or stays body bytes of the first. The daemon keeps serving afterwards.
/// </summary>
public sealed class SmugglingAttackTests(SmugglingAttackTests.Fixture fixture) : IClassFixture<SmugglingAttackTests.Fixture>
{
    private const string Hidden = "GET http://other.example.test:{0}/smuggled HTTP/1.1\r\nHost: other.example.test:{0}\r\nConnection: close\r\n\r\n";

    /// <summary>Name, then the head and body of the first request (placeholders: {0} port, {1} hidden request, {2} its length).</summary>
    public static TheoryData<string, string> Shapes => new()
    {
        { "CL.TE", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nContent-Length: {2}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{1}" },
        { "TE.CL", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n{1}" },
        { "TE obfuscated", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nContent-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n{1}" },
        { "TE list", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding: identity, chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n{1}" },
        { "TE space before colon", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n{1}" },
        { "TE tab value", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding:\tchunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n{1}" },
        { "two TE", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n{1}" },
        { "two CL", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nContent-Length: 0\r\nContent-Length: {2}\r\n\r\n{1}" },
        { "CL list", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nContent-Length: 0, {2}\r\n\r\n{1}" },
        { "CL plus sign", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nContent-Length: +0\r\n\r\n{1}" },
        { "chunk size overflow", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n\r\n0\r\n\r\n{1}" },
        { "chunk extension LF", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nTransfer-Encoding: chunked\r\n\r\n0;ext\n\r\n{1}" },
        { "obs-fold Host", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\n other.example.test\r\n\r\n{1}" },
        { "obs-fold TE", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nContent-Length: 5\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n{1}" },
        { "bare LF", "GET http://api.example.test:{0}/a HTTP/1.1\nHost: api.example.test:{0}\n\n{1}" },
        { "bare LF in header", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\nX: y\r\n\r\n{1}" },
        { "bare CR", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\rX: y\r\n\r\n{1}" },
        { "NUL in header", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nX: a\0b\r\n\r\n{1}" },
        { "two Host", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nHost: other.example.test:{0}\r\n\r\n{1}" },
        { "Host disagrees", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: other.example.test:{0}\r\n\r\n{1}" },
        { "Host port disagrees", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:1\r\n\r\n{1}" },
        { "userinfo", "GET http://user:pw@api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\n\r\n{1}" },
        { "userinfo other", "GET http://api.example.test:{0}@other.example.test:{0}/a HTTP/1.1\r\nHost: other.example.test:{0}\r\n\r\n{1}" },
        { "space in target", "GET http://api.example.test:{0}/a HTTP/1.1 HTTP/1.1\r\nHost: api.example.test:{0}\r\n\r\n{1}" },
        { "CR LF in target", "GET http://api.example.test:{0}/a\r\nHost: other.example.test HTTP/1.1\r\nHost: api.example.test:{0}\r\n\r\n{1}" },
        { "pipelined", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\n\r\n{1}" },
        { "HTTP/1.0 keep-alive", "GET http://api.example.test:{0}/a HTTP/1.0\r\nHost: api.example.test:{0}\r\nConnection: keep-alive\r\n\r\n{1}" },
        { "Expect then body", "POST http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n{1}" },
        { "CONNECT after absolute", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\n\r\nCONNECT other.example.test:{0} HTTP/1.1\r\n\r\n" },
        { "upgrade h2c", "GET http://api.example.test:{0}/a HTTP/1.1\r\nHost: api.example.test:{0}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n{1}" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task HiddenRequest_NeverReachesTheUpstreamUndecided(string shape, string template)
    {
        int port = fixture.Upstream.Port;
        string hidden = string.Format(System.Globalization.CultureInfo.InvariantCulture, Hidden, port);
        string request = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, port, hidden, hidden.Length);
        byte[] answer = await Survival.ExchangeAsync(fixture.Gateway.Port, AppendClose(request), TimeSpan.FromSeconds(15));
        string text = Encoding.Latin1.GetString(answer);

        Assert.DoesNotContain(fixture.Upstream.Requests, r => r.Contains("smuggled", StringComparison.Ordinal) || r.Contains("other.example.test", StringComparison.Ordinal));
        Assert.DoesNotContain("seen /smuggled", text, StringComparison.Ordinal);

        // Every response the client got is the gateway's refusal or the upstream's answer to the allowed request.
        foreach (string status in StatusLines(text))
        {
            Assert.True(status is "200" or "400" or "403" or "404" or "405" or "411" or "413" or "431" or "501" or "505", $"{shape}: {status}\n{text}");
        }

        await Survival.AssertAbsoluteFormWorksAsync(fixture.Gateway.Port, fixture.Http.HttpPort);
    }

    // A last request that closes, so the exchange ends when the gateway has answered everything it read.
    private static byte[] AppendClose(string request) => Encoding.Latin1.GetBytes(request);

    /// <summary>The status code of every HTTP/1.x status line in <paramref name="text"/>.</summary>
    internal static IEnumerable<string> StatusLines(string text)
    {
        int at = 0;
        while ((at = text.IndexOf("HTTP/1.", at, StringComparison.Ordinal)) >= 0)
        {
            if (at + 12 <= text.Length && text[at + 8] == ' ')
            {
                yield return text.Substring(at + 9, 3);
            }

            at += 8;
        }
    }

    /// <summary>deny-all but api.example.test; other.example.test is blocked (both resolve to loopback).</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal RecordingUpstream Upstream { get; private set; } = null!;

        internal TestUpstream Http { get; private set; } = null!;

        internal GatewayUnderTest Gateway { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Upstream = await RecordingUpstream.StartAsync();
            Http = await TestUpstream.StartAsync();
            Gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
                config => config with { Limits = config.Limits with { IdleTimeout = TimeSpan.FromSeconds(3) } });
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
            await Http.DisposeAsync();
        }
    }
}
