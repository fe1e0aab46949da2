using System.Globalization;
using System.Text;
using Gateway.Tests.Interception;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// The smuggling table of <see cref="SmugglingAttackTests"/> replayed inside an intercepted
/// connection: CONNECT to api.example.test (a kit binds a credential to it), TLS to the
/// gateway's minted leaf, then each shape's raw bytes, request targets in origin form as a TLS
/// client sends them. The hidden request names other.example.test, which the sandbox may reach
/// but which is not the decided host: read as a request of its own it is misdirected (421) and
/// never forwarded; kept as body bytes it reaches the upstream only as the body YARP re-frames.
/// Either way the upstream never receives it as a request, every request it does receive names
/// the bound host and carries the injected credential (no credential to an unexpected place),
/// the credential never comes back to the client, and the daemon keeps serving.
/// </summary>
public sealed class InterceptedSmugglingAttackTests(InterceptedSmugglingAttackTests.Fixture fixture) : IClassFixture<InterceptedSmugglingAttackTests.Fixture>
{
    private const string Secret = "smuggling-secret-value";
    private const string Hidden = "GET /smuggled HTTP/1.1\r\nHost: other.example.test:{0}\r\nConnection: close\r\n\r\n";

    /// <summary>Every shape of the absolute-form table, its targets in origin form.</summary>
    public static TheoryData<string, string> Shapes
    {
        get
        {
            var shapes = new TheoryData<string, string>();
            foreach (object[] row in SmugglingAttackTests.Shapes)
            {
                // Only a plain "http://api.example.test:PORT/" target: the userinfo shapes keep
                // their absolute form, which a server must accept (RFC 9112 §3.2.2) and is hostile as is.
                shapes.Add((string)row[0], ((string)row[1]).Replace(" http://api.example.test:{0}/", " /", StringComparison.Ordinal));
            }

            return shapes;
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task HiddenRequest_NeverReachesTheUpstream_AndTheCredentialOnlyTheBoundHost(string shape, string template)
    {
        InterceptedGateway env = fixture.Env;
        int port = env.Upstream.Port;
        string hidden = string.Format(CultureInfo.InvariantCulture, Hidden, port);
        string request = string.Format(CultureInfo.InvariantCulture, template, port, hidden, hidden.Length);
        int seenBefore = env.Upstream.Seen.Count;

        byte[] answer = await InterceptedExchange.SendAsync(env.Gateway.Port, "api.example.test", port, env.GatewayCaPath, Encoding.Latin1.GetBytes(request), TimeSpan.FromSeconds(15));
        string text = Encoding.Latin1.GetString(answer);

        // The gateway closed the connection, so every request it parsed has been answered: what
        // the upstream holds now is all this shape could make it send.
        SeenRequest[] seen = [.. env.Upstream.Seen.Skip(seenBefore)];
        Assert.True(seen.Length <= 1, $"{shape}: {seen.Length} requests reached the upstream: {string.Join(" | ", seen.Select(s => s.Method + " " + s.Path + " " + s.Host))}");
        foreach (SeenRequest s in seen)
        {
            Assert.Equal("/a", s.Path);
            Assert.Equal($"api.example.test:{port}", s.Host);
            Assert.Equal("Bearer " + Secret, s.Headers.GetValueOrDefault("Authorization"));
        }

        Assert.DoesNotContain("/smuggled", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        foreach (string status in SmugglingAttackTests.StatusLines(text))
        {
            Assert.True(status is "200" or "400" or "403" or "404" or "405" or "411" or "413" or "421" or "431" or "501" or "505", $"{shape}: {status}\n{text}");
        }

        (int exit, string stdout, string stderr) = await env.CurlAsync("api.example.test", "/after", "-sS");
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("ok GET /after ", stdout, StringComparison.Ordinal);
    }

    /// <summary>The gateway of the interception tests: api.example.test bound to a credential, other.example.test merely allowed.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal InterceptedGateway Env { get; private set; } = null!;

        public async Task InitializeAsync() => Env = await InterceptedGateway.StartAsync(Secret);

        public async Task DisposeAsync() => await Env.DisposeAsync();
    }
}
