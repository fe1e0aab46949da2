using System.Collections.Immutable;
using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using Gateway.Tests.Listeners;
using PolicyCompiler.Budgets;

namespace Gateway.Tests.Interception;

/// <summary>Issue 21 point 4 on intercepted requests: each request of a terminated connection is admitted against its sandbox's request budgets.</summary>
public sealed class InterceptBudgetTests
{
    [Fact]
    public async Task InterceptedRequests_PastRequestsPerSecond_Get429_AuditedAsBudget()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(
            "s3cr3t-BUDGET-1c9e",
            configure: c => c with
            {
                Sandboxes = [new SandboxConfig("dev", [IPAddress.Loopback], ["intercept-kit"], null) { Budgets = new BudgetLimits(null, null, 2, null) }],
            });
        string url = $"https://api.example.test:{env.Upstream.Port}/v1/budget";

        // Twelve requests over one intercepted HTTP/2 connection, back to back.
        var (exit, stdout, stderr) = await Curl.RunAsync(
            ["--cacert", env.GatewayCaPath, "-x", env.Gateway.ProxyUrl, "--http2", "-w", "%{http_code}\\n", .. Enumerable.Repeat<string[]>(["-o", "/dev/null", url], 12).SelectMany(a => a)]);
        List<JsonElement> events = await Gateway.Tests.Dialing.Socks5EndToEndTests.AuditAsync(env.Gateway);

        Assert.True(exit == 0, stderr);
        string[] statuses = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, statuses.Length);
        Assert.Contains("200", statuses);
        Assert.Contains("429", statuses);
        Assert.Equal(statuses.Count(s => s == "200"), env.Upstream.For("/v1/budget").Count);
        Assert.Equal(statuses.Count(s => s == "429"), events.Count(e => e.GetProperty("ruleId").GetString() == "budget:requestsPerSecond"));
    }

    [Fact]
    public async Task AnInterceptedUploadThatWouldNotFit_Gets429_AndNeverReachesTheUpstream()
    {
        await using InterceptedGateway env = await InterceptedGateway.StartAsync(
            "s3cr3t-BUDGET-7d2a",
            configure: c => c with
            {
                Sandboxes = [new SandboxConfig("dev", [IPAddress.Loopback], ["intercept-kit"], null) { Budgets = new BudgetLimits(null, null, null, 8 * 1024) }],
            });
        string body = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(body, new byte[6 * 1024]);

            var first = await env.CurlAsync("api.example.test", "/sink", "--http2", "-w", " %{http_code}", "--data-binary", "@" + body);
            var second = await env.CurlAsync("api.example.test", "/sink", "--http2", "-w", " %{http_code}", "--data-binary", "@" + body);

            Assert.Equal("read 6144 200", first.Stdout);
            Assert.EndsWith(" 429", second.Stdout, StringComparison.Ordinal);
            Assert.Single(env.Upstream.For("/sink"));
        }
        finally
        {
            File.Delete(body);
        }
    }
}
