using System.Globalization;
using System.Text;
using Gateway.Tests.Listeners;
using Gateway.Tests.Interception;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// Issue 16 item 2: an upstream that echoes the injected credential in the head of its answer,
/// in the HTTP/1.1 reason phrase ("401 Invalid key SECRET") or as a header name ("SECRET: 1",
/// lower-cased under HTTP/2), must not hand it to the sandbox, on the forward (CONNECT) and
/// the transparent listener, over HTTP/1.1 and HTTP/2. The secret has upper-case letters so
/// that an HTTP/2 lower-cased echo is a different string from the one the gateway injected.
/// </summary>
public sealed class ResponseEchoAttackTests(ResponseEchoAttackTests.Fixture fixture) : IClassFixture<ResponseEchoAttackTests.Fixture>
{
    private const string Secret = "Echo-SECRET-key-71b3";

    [Fact]
    public async Task ReasonPhrase_EchoingTheSecret_ReachesTheClientAsTheStandardPhrase()
    {
        InterceptedGateway env = fixture.Env;
        string request = string.Create(CultureInfo.InvariantCulture, $"GET /echo-reason HTTP/1.1\r\nHost: api.example.test:{env.Upstream.Port}\r\nConnection: close\r\n\r\n");

        byte[] answer = await InterceptedExchange.SendAsync(env.Gateway.Port, "api.example.test", env.Upstream.Port, env.GatewayCaPath, Encoding.ASCII.GetBytes(request), TimeSpan.FromSeconds(30));
        string text = Encoding.Latin1.GetString(answer);

        Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Bearer " + Secret, env.Upstream.For("/echo-reason").Last().Headers["Authorization"]);
    }

    [Fact]
    public async Task HeaderName_EchoingTheSecret_IsDropped_OverHttp11()
    {
        InterceptedGateway env = fixture.Env;
        string request = string.Create(CultureInfo.InvariantCulture, $"GET /echo-name HTTP/1.1\r\nHost: api.example.test:{env.Upstream.Port}\r\nConnection: close\r\n\r\n");

        byte[] answer = await InterceptedExchange.SendAsync(env.Gateway.Port, "api.example.test", env.Upstream.Port, env.GatewayCaPath, Encoding.ASCII.GetBytes(request), TimeSpan.FromSeconds(30));
        string text = Encoding.Latin1.GetString(answer);

        Assert.StartsWith("HTTP/1.1 200 ", text, StringComparison.Ordinal);
        Assert.Contains("\r\nnamed\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--http1.1", "/echo-reason")]
    [InlineData("--http1.1", "/echo-name")]
    [InlineData("--http2", "/echo-name")]
    public async Task ThroughTheForwardProxy_CurlSeesNoEcho(string version, string path)
    {
        (int exit, string stdout, string stderr) = await fixture.Env.CurlAsync("api.example.test", path, "-sS", "-i", version);

        Assert.True(exit == 0, stderr);
        Assert.DoesNotContain(Secret, stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("--http1.1", "/echo-reason")]
    [InlineData("--http1.1", "/echo-name")]
    [InlineData("--http2", "/echo-name")]
    public async Task ThroughTheTransparentListener_CurlSeesNoEcho(string version, string path)
    {
        InterceptedGateway env = fixture.Transparent;
        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "--cacert", env.GatewayCaPath, "-sS", "-i", "-v", version,
            "--connect-to", $"api.example.test:{env.Upstream.Port}:127.0.0.1:{env.TransparentTlsPort}",
            $"https://api.example.test:{env.Upstream.Port}{path}");

        Assert.True(exit == 0, stderr);
        Assert.Contains(path == "/echo-reason" ? " 401" : " 200", stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Bearer " + Secret, env.Upstream.For(path).Last().Headers["Authorization"]);
    }

    /// <summary>One gateway on the forward listener, one with the transparent TLS listener, both binding <see cref="Secret"/> to api.example.test.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal InterceptedGateway Env { get; private set; } = null!;

        internal InterceptedGateway Transparent { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Env = await InterceptedGateway.StartAsync(Secret);
            Transparent = await InterceptedGateway.StartAsync(Secret, transparent: true);
        }

        public async Task DisposeAsync()
        {
            await Env.DisposeAsync();
            await Transparent.DisposeAsync();
        }
    }
}
