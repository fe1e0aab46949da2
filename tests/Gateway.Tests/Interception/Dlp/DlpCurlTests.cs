using System.IO.Compression;
using System.Text;
using Gateway.Interception.Forwarding;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>
/// Issue 21 points 1–3 end to end: curl through the gateway to a real local TLS origin. A request carrying a
/// secret to an inspected host is refused with 403 and audited as dlp:&lt;pattern&gt;; a body of declared length
/// never reaches the origin at all, a streamed one never completes there; the match is in no output; benign
/// traffic and hosts that are not inspected go through.
/// </summary>
public sealed class DlpCurlTests : IAsyncLifetime
{
    private const string Secret = "held-Secret-9f2c7e41aa";
    private DlpGateway _env = null!;

    public async Task InitializeAsync() => _env = await DlpGateway.StartAsync(Secret);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task ATokenInABody_IsRefused_AndNeverReachesTheOrigin(string version)
    {
        string token = DlpCases.GithubClassic;

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/sink", "-i", version, "--data-binary", "{\"note\":\"" + token + "\"}");

        Assert.True(exit == 0, stderr);
        Assert.Contains(" 403", stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("outgoing DLP found github-token", stdout, StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/sink"));
        var (audit, metrics, logs) = await _env.StopAndReadAsync();
        Assert.Contains("\"ruleId\":\"dlp:github-token\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"blocked\"", audit, StringComparison.Ordinal);
        Assert.Contains("gateway_dlp_hits_total{pattern=\"github_token\"} 1", metrics, StringComparison.Ordinal);
        foreach (string output in (string[])[stdout, stderr, audit, metrics, logs])
        {
            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AHeldCredential_Base64EncodedInAQuery_IsRefused()
    {
        // The broker learns the value when it first presents it to its bound host.
        var (okExit, okOut, okErr) = await _env.CurlAsync("api.example.test", "/echo-auth", "-i");
        Assert.True(okExit == 0, okErr);
        Assert.Contains("echoed", okOut, StringComparison.Ordinal);
        string encoded = Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Secret)));

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/upload?blob=" + encoded, "-i");

        Assert.True(exit == 0, stderr);
        Assert.Contains(" 403", stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/upload?blob=" + encoded));
        var (audit, _, logs) = await _env.StopAndReadAsync();
        Assert.Contains("\"ruleId\":\"dlp:credential\"", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, audit + logs + stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnotherSandboxsPlaceholder_InAHeader_IsRefused()
    {
        string placeholder = _env.Gateway.Services.GetRequiredService<Placeholders>().For("ci", "NPM_TOKEN");

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/anything", "-i", "-H", "X-Npm: " + placeholder);

        Assert.True(exit == 0, stderr);
        Assert.Contains(" 403", stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/anything"));
        var (audit, _, _) = await _env.StopAndReadAsync();
        Assert.Contains("\"ruleId\":\"dlp:placeholder\"", audit, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task AGzipBody_IsDecodedAndScanned(string version)
    {
        byte[] packed = DlpRun.Compress(Encoding.ASCII.GetBytes("export AWS_ACCESS_KEY_ID=" + DlpCases.Aws + "\n"), s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true));
        string file = _env.WriteFile("body.gz", packed);

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/sink", "-i", version, "-H", "Content-Encoding: gzip", "--data-binary", "@" + file);

        Assert.True(exit == 0, stderr);
        Assert.Contains(" 403", stdout.Split('\n')[0], StringComparison.Ordinal);
        Assert.Empty(_env.Upstream.For("/sink"));
    }

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task AStreamedBody_WithAKeyPastTheFirstWindow_NeverCompletesAtTheOrigin(string version)
    {
        // Chunked (HTTP/1.1) or DATA frames of unknown length (HTTP/2): streamed from the start, the key 200 KB in.
        string body = new string('x', 200_000) + "\n" + DlpCases.Pem + new string('y', 100_000);
        string file = _env.WriteFile("stream.txt", Encoding.ASCII.GetBytes(body));

        var (_, stdout, stderr) = await _env.CurlAsync("other.example.test", "/sink", "-i", version, "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file);

        // The origin answers /sink only after reading the whole body: it never did.
        Assert.DoesNotContain("read ", stdout, StringComparison.Ordinal);
        var (audit, metrics, _) = await _env.StopAndReadAsync();
        Assert.Contains("\"ruleId\":\"dlp:private-key\"", audit, StringComparison.Ordinal);
        Assert.Contains("gateway_dlp_hits_total{pattern=\"private_key\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", stdout + stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2")]
    public async Task BenignDeveloperTraffic_ReachesTheOrigin(string version)
    {
        string body = "{\"id\":\"" + Guid.NewGuid() + "\",\"example\":\"AKIAIOSFODNN7EXAMPLE\",\"sha\":\"" + Convert.ToHexStringLower(new byte[32]) + "\",\"text\":\"" + new string('l', 100_000) + "\"}";
        string file = _env.WriteFile("benign.json", Encoding.ASCII.GetBytes(body));

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/sink", "-i", version, "--data-binary", "@" + file);

        Assert.True(exit == 0, stderr);
        Assert.Contains("read " + body.Length, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AHostThatIsNotInspected_IsRelayedEndToEnd_SoDlpDoesNotSeeIt()
    {
        // Invariant 3: git.example.test has no credential and no inspect entry, so the origin's own certificate
        // reaches curl (trusting only the upstream CA) and the body passes unread.
        var (exit, stdout, stderr) = await Curl(
            "--cacert", _env.UpstreamCa.PemPath, "-x", _env.Gateway.ProxyUrl, "--suppress-connect-headers", "-i",
            "--data-binary", "token " + DlpCases.GithubClassic, $"https://git.example.test:{_env.Upstream.Port}/sink");

        Assert.True(exit == 0, stderr);
        Assert.Contains("read ", stdout, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Stdout, string Stderr)> Curl(params string[] args) => Listeners.Curl.RunAsync(args);
}
