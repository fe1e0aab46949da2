using Gateway.Tests.Listeners;

namespace Gateway.Tests.Interception;

/// <summary>Issue 7 item 2 on the transparent TLS listener: SNI decides, a bound host is terminated and injected, any other allowed host is relayed untouched.</summary>
public sealed class InterceptTransparentTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-TRANSPARENT-90ac13";
    private InterceptedGateway _env = null!;

    public async Task InitializeAsync() => _env = await InterceptedGateway.StartAsync(Secret, transparent: true);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Theory]
    [InlineData("--http1.1", "HTTP/1.1")]
    [InlineData("--http2", "HTTP/2")]
    public async Task BoundHost_ThroughTheTransparentListener_IsInjected(string version, string upstreamProtocol)
    {
        var (exit, stdout, stderr) = await Curl.RunAsync(
            "--cacert", _env.GatewayCaPath, version,
            "--connect-to", $"api.example.test:{_env.Upstream.Port}:127.0.0.1:{_env.TransparentTlsPort}",
            $"https://api.example.test:{_env.Upstream.Port}/v1/transparent");

        Assert.True(exit == 0, stderr);
        Assert.Equal($"ok GET /v1/transparent {upstreamProtocol}", stdout);
        Assert.Equal("Bearer " + Secret, Assert.Single(_env.Upstream.For("/v1/transparent")).Headers["Authorization"]);
    }

    [Fact]
    public async Task UnboundHost_ThroughTheTransparentListener_KeepsTheUpstreamsCertificate()
    {
        var (exit, stdout, stderr) = await Curl.RunAsync(
            "--cacert", _env.UpstreamCa.PemPath, "-v",
            "--connect-to", $"other.example.test:{_env.Upstream.Port}:127.0.0.1:{_env.TransparentTlsPort}",
            $"https://other.example.test:{_env.Upstream.Port}/relayed");

        Assert.True(exit == 0, stderr);
        Assert.Equal("ok GET /relayed HTTP/2", stdout);
        Assert.Contains("issuer: CN=Intercept Test Upstream CA", stderr, StringComparison.Ordinal);
    }
}
