using Gateway.Interception.Forwarding;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Interception;

/// <summary>
/// Issue 7 item 5 (invariant 2): the secret and the proxy-managed value appear in no output the
/// sandbox or an operator's tooling sees — curl's output and verbose trace, response headers of
/// an upstream that reflects the credential, refusals, the gateway's logs at every level, the
/// audit log and the metrics.
/// </summary>
public sealed class InterceptSecretTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-NEVER-SHOWN-5e61f0";
    private const string ManagedValue = "managed-NEVER-SHOWN-c84d27";
    private InterceptedGateway _env = null!;

    public async Task InitializeAsync() => _env = await InterceptedGateway.StartAsync(Secret, ManagedValue, transparent: true);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task TheSecret_AppearsInNoOutput()
    {
        string placeholder = _env.Gateway.Services.GetService(typeof(Gateway.Interception.Forwarding.Placeholders)) is Gateway.Interception.Forwarding.Placeholders p
            ? p.For("dev", _env.ManagedVariable)
            : throw new InvalidOperationException("no placeholders service");
        var outputs = new List<string>();
        foreach (string[] args in (string[][])[
            ["api.example.test", "/echo-auth", "--http1.1"],
            ["api.example.test", "/echo-auth", "--http2"],
            ["api.example.test", "/echo-body", "--http1.1", "-H", "X-Token: " + placeholder],
            ["api.example.test", "/echo-body", "--http2", "--compressed"],
            ["api.example.test", "/echo-gzip", "--http1.1"],
            ["api.example.test", "/echo-zstd", "--http2"],
            ["api.example.test", "/echo-auth", "--http1.1", "-H", "Authorization: " + placeholder],
            ["api.example.test", "/v1/managed", "--http2", "-H", "X-Token: " + placeholder],
            ["api.example.test", "/redirect", "--http1.1"],
            ["api.example.test", "/v1/x", "--http1.1", "-H", $"Host: other.example.test:{_env.Upstream.Port}"],
            ["rules.example.test", "/admin", "--http1.1"],
            ["rules.example.test", "/repos/a", "--http1.1", "-H", "X-Token: " + placeholder],
        ])
        {
            var (_, stdout, stderr) = await _env.CurlAsync(args[0], args[1], ["-i", "-v", .. args[2..]]);
            outputs.Add(stdout);
            outputs.Add(stderr);
        }

        var (_, tStdout, tStderr) = await Curl.RunAsync(
            "--cacert", _env.GatewayCaPath, "-i", "-v",
            "--connect-to", $"api.example.test:{_env.Upstream.Port}:127.0.0.1:{_env.TransparentTlsPort}",
            $"https://api.example.test:{_env.Upstream.Port}/echo-auth");
        outputs.Add(tStdout);
        outputs.Add(tStderr);
        using var scrape = new HttpClient();
        string metrics = await scrape.GetStringAsync(_env.Gateway.MetricsUrl + "/metrics");
        await _env.Gateway.StopAsync();
        string audit = await File.ReadAllTextAsync(Path.Combine(_env.Gateway.StateDir, "audit.jsonl"));
        outputs.Add(metrics);
        outputs.Add(audit);
        outputs.Add(_env.Logs.ToString());

        // The scenarios did run: the upstream got the real values, the audit names the source.
        Assert.Contains(_env.Upstream.Seen, s => s.Headers.GetValueOrDefault("Authorization") == "Bearer " + Secret);
        Assert.Contains(_env.Upstream.Seen, s => s.Headers.GetValueOrDefault("X-Token") == ManagedValue);
        Assert.Contains("\"injected\":\"svc\"", audit, StringComparison.Ordinal);
        Assert.Contains("gateway_injections_total{source=\"service_auth\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("echoed", string.Join("\n", outputs), StringComparison.Ordinal);

        // Bodies that echo them arrive masked, same length; identity was asked of the upstream,
        // a gzip body anyway was decoded, and an encoding the gateway cannot read was refused.
        string all = string.Join("\n", outputs);
        string masked = new('*', Secret.Length);
        Assert.Contains($"accept-encoding=identity; auth=Bearer {masked}; token={new string('*', ManagedValue.Length)}; end", all, StringComparison.Ordinal);
        Assert.Contains($"gzip auth=Bearer {masked}; end", all, StringComparison.Ordinal);
        Assert.Contains("which the gateway cannot read to keep the credential out of the response", all, StringComparison.Ordinal);
        Assert.DoesNotContain("not really zstd", all, StringComparison.Ordinal);
        foreach (string output in outputs)
        {
            Assert.DoesNotContain(Secret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(ManagedValue, output, StringComparison.Ordinal);
        }
    }
}
