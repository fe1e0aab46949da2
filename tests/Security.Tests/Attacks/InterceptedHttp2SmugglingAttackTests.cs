using System.Text;
using Gateway.Interception.Forwarding;
using Gateway.Tests.Interception;
using Microsoft.Extensions.DependencyInjection;
using Security.Tests.Harness;
using Xunit.Abstractions;

namespace Security.Tests.Attacks;

/// <summary>
/// HTTP/2 frame-level smuggling on an intercepted connection: CONNECT to api.example.test (a kit
/// binds a credential to it), TLS to the gateway's leaf with ALPN h2, then hand-built frames
/// (<see cref="RawHttp2Connection"/>) carrying what RFC 9113 §8.2-§8.3 forbids. The upstream speaks
/// only HTTP/1.1, so each request the gateway forwards is downgraded: the surface where an h2
/// field becomes an HTTP/1.1 line. Whatever the shape, the upstream's strict reader
/// (<see cref="RawHttp11Upstream"/>) frames at most the one request sent, for /a on the bound host,
/// SNI and Host api.example.test, with the injected credential and no forbidden byte; the hidden
/// request (/smuggled, to other.example.test) never arrives as a request; the credential never
/// comes back; and the daemon answers a normal request afterwards.
/// </summary>
public sealed class InterceptedHttp2SmugglingAttackTests(InterceptedHttp2SmugglingAttackTests.Fixture fixture, ITestOutputHelper output) : IClassFixture<InterceptedHttp2SmugglingAttackTests.Fixture>
{
    private const string Secret = "h2-smuggling-secret-value";

    /// <summary>Every shape's name and what the gateway must make of it.</summary>
    public static TheoryData<string, Expect> Shapes
    {
        get
        {
            var data = new TheoryData<string, Expect>();
            foreach ((string name, (Expect expect, _)) in InterceptedHttp2Shapes.All)
            {
                data.Add(name, expect);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Shape_IsRefusedOrForwardedSafely_AndNothingIsSmuggledDownstream(string shape, Expect expect)
    {
        RawHttp11Upstream upstream = fixture.Upstream;
        var context = new InterceptedHttp2Shapes.Context($"api.example.test:{upstream.Port}", $"other.example.test:{upstream.Port}", fixture.Placeholder);
        int seenBefore = upstream.Requests.Count;

        Http2Outcome outcome;
        await using (RawHttp2Connection h2 = await fixture.OpenAsync())
        {
            await InterceptedHttp2Shapes.All[shape].Send(h2, context);
            outcome = await h2.ReadOutcomeAsync(1);
        }

        // The daemon survives; and the round trip of a normal request gives anything the gateway
        // sent for this shape (on another pooled upstream connection, perhaps) time to be framed
        // before the upstream's record is read.
        await AssertAnotherRequestWorksAsync();
        UpstreamRequest[] seen = [.. upstream.Requests.Skip(seenBefore).Where(r => r.Target != "/after")];

        string report = $"{shape}: {outcome}\nupstream: {string.Join("\n", seen.Select(r => r.ToString()))}";
        output.WriteLine(report);
        Assert.True(seen.Length <= 1, report);
        foreach (UpstreamRequest request in seen)
        {
            Assert.True(request.Problems.Count == 0, report);
            Assert.Equal("api.example.test", request.Sni);
            Assert.StartsWith("/a", request.Target, StringComparison.Ordinal);
            Assert.DoesNotContain("smuggled", request.Target, StringComparison.Ordinal);
            Assert.Equal([context.Authority], request.Values("Host"));
            Assert.Equal(["Bearer " + Secret], request.Values("Authorization"));
            Assert.DoesNotContain(request.Headers, h => h.Name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !h.Value.Equals("chunked", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(request.Headers, h => h.Value.Contains(context.Placeholder, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(Secret, outcome.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(outcome.Headers, h => h.Value.Contains(Secret, StringComparison.Ordinal));
        switch (expect)
        {
            case Expect.Refused:
                Assert.True(outcome.IsRefusal, report);
                Assert.True(seen.Length == 0, report);
                break;
            case Expect.Forwarded:
                Assert.True(outcome.Status == 200 && seen.Length == 1, report);
                Assert.Equal("seen " + seen[0].Target, outcome.Body);
                break;
            case Expect.ForwardedThenReset:
                // Kestrel hands the request on when its head is complete and finds the body
                // inconsistent later: the stream is reset and the forwarded copy is cut off where the
                // declared length ends (the gateway abandons the upstream connection), never beyond.
                Assert.True(outcome.ResetCode == Http2Outcome.ProtocolError || outcome.Status is 400, report);
                Assert.All(seen, r => Assert.DoesNotContain("smuggled", r.Body, StringComparison.Ordinal));
                break;
        }
    }

    private async Task AssertAnotherRequestWorksAsync()
    {
        await using RawHttp2Connection h2 = await fixture.OpenAsync();
        await h2.SendHeadersAsync(1, [(":method", "GET"), (":scheme", "https"), (":authority", $"api.example.test:{fixture.Upstream.Port}"), (":path", "/after")], endStream: true);
        Http2Outcome after = await h2.ReadOutcomeAsync(1);
        Assert.True(after.Status == 200, after.ToString());
        Assert.Equal("seen /after", after.Body);
    }

    /// <summary>What a shape must come to.</summary>
    public enum Expect
    {
        /// <summary>RST_STREAM, GOAWAY, a closed connection or a 4xx; the upstream frames nothing.</summary>
        Refused,

        /// <summary>A 200 from the upstream, which framed exactly one clean request.</summary>
        Forwarded,

        /// <summary>The head was forwarded, the body then found inconsistent: reset; the upstream frames at most a cut-off copy.</summary>
        ForwardedThenReset,
    }

    /// <summary>The interception gateway, and a second, HTTP/1.1-only upstream for api.example.test behind the same test CA.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal InterceptedGateway Env { get; private set; } = null!;

        internal RawHttp11Upstream Upstream { get; private set; } = null!;

        internal string Placeholder { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Env = await InterceptedGateway.StartAsync(Secret);
            Upstream = new RawHttp11Upstream(Env.UpstreamCa.Issue("api.example.test", "other.example.test"));
            Placeholder = Env.Gateway.Services.GetRequiredService<Placeholders>().For("dev", Env.ManagedVariable);
        }

        internal Task<RawHttp2Connection> OpenAsync() => RawHttp2Connection.OpenAsync(Env.Gateway.Port, "api.example.test", Upstream.Port, Env.GatewayCaPath);

        public async Task DisposeAsync()
        {
            await Upstream.DisposeAsync();
            await Env.DisposeAsync();
        }
    }
}
