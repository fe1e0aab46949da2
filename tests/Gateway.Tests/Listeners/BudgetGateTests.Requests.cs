using System.Net;
using System.Text.Json;
using Gateway.Configuration;
using PolicyCompiler.Budgets;

namespace Gateway.Tests.Listeners;

/// <summary>Issue 21 point 4 on the HTTP request paths: requestsPerSecond and uploadBytesPerHour answered with 429, with real curl.</summary>
public sealed partial class BudgetGateTests
{
    [Fact]
    public async Task AbsoluteForm_PastRequestsPerSecond_Gets429_AndIsAudited()
    {
        GatewayUnderTest gateway = await StartAsync(flooder: new BudgetLimits(null, null, 2, null));
        List<string> statuses;
        List<JsonElement> events;
        try
        {
            // Twelve requests on one keep-alive connection, back to back: a 2/s budget lets a few through.
            string url = $"http://api.example.test:{_upstream.HttpPort}/";
            var (exit, stdout, stderr) = await Curl.RunAsync(
                ["--interface", s_flooder.ToString(), "-x", gateway.ProxyUrl, "-w", "%{http_code}\\n", .. Enumerable.Repeat<string[]>(["-o", "/dev/null", url], 12).SelectMany(a => a)]);
            Assert.True(exit == 0, stderr);
            statuses = [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
            events = await AuditAsync(gateway);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        Assert.Equal(12, statuses.Count);
        Assert.Contains("200", statuses);
        Assert.Contains("429", statuses);
        Assert.Equal(statuses.Count(s => s == "429"), events.Count(e => e.GetProperty("ruleId").GetString() == "budget:requestsPerSecond"));
        Assert.All(events.Where(e => e.GetProperty("ruleId").GetString() == "budget:requestsPerSecond"),
            e => Assert.Equal(("flooder", "api.example.test", 429), (e.GetProperty("sandbox").GetString(), e.GetProperty("host").GetString(), e.GetProperty("status").GetInt32())));
    }

    [Fact]
    public async Task AbsoluteForm_AnUploadThatWouldNotFit_Gets429_BeforeItsBodyLeaves()
    {
        await using GatewayUnderTest gateway = await StartAsync(flooder: new BudgetLimits(null, null, null, 8 * 1024));
        string body = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(body, new byte[6 * 1024]);
            string[] post = ["--interface", s_flooder.ToString(), "-x", gateway.ProxyUrl, "-w", " %{http_code}", "--data-binary", "@" + body, $"http://api.example.test:{_upstream.HttpPort}/sink"];

            var first = await Curl.RunAsync(post);
            var second = await Curl.RunAsync(post);

            Assert.Equal("read 6144 200", first.Stdout);
            Assert.EndsWith(" 429", second.Stdout, StringComparison.Ordinal);
            Assert.Contains("budgets.uploadBytesPerHour", second.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(body);
        }
    }

    [Fact]
    public async Task AbsoluteForm_AChunkedUploadPastTheBudget_IsCutShort_AndTheNextRequestGets429()
    {
        await using GatewayUnderTest gateway = await StartAsync(flooder: new BudgetLimits(null, null, null, 8 * 1024));
        string body = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(body, new byte[64 * 1024]);
            string url = $"http://api.example.test:{_upstream.HttpPort}/sink";

            var chunked = await Curl.RunAsync(
                "--interface", s_flooder.ToString(), "-x", gateway.ProxyUrl, "-w", " %{http_code}", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + body, url);
            var next = await Curl.RunAsync("--interface", s_flooder.ToString(), "-x", gateway.ProxyUrl, "-w", " %{http_code}", "--data-binary", "x", url);

            // Whatever the client saw of the cut-short request, the upstream never read the whole body.
            Assert.DoesNotContain("read 65536", chunked.Stdout, StringComparison.Ordinal);
            Assert.EndsWith(" 429", next.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(body);
        }
    }

    [Fact]
    public async Task ARegisteredSandbox_GetsItsKitsBudgets()
    {
        string directory = Directory.CreateTempSubdirectory("gw-budget-kit-").FullName;
        string kit = Path.Combine(directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, """
            schemaVersion: "1"
            kind: mixin
            name: budget-kit
            network:
              allowedDomains: [api.example.test]
              budgets: { connections: 1 }
            """);
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync([["policy", "set-default", "deny-all"]], config => config with { Kits = [kit] });
        try
        {
            using HttpResponseMessage registered = await AdminHttp.RegisterAsync(gateway.StateDir, new { name = "vm1", addresses = new[] { "127.0.0.4" }, kits = new[] { "budget-kit" } });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            IPAddress vm = IPAddress.Parse("127.0.0.4");

            using RawClient first = await OpenTunnelAsync(gateway, vm);
            (int second, _, _) = await ConnectAsync(gateway, vm);

            Assert.Equal(429, second);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task TheConfigAndTheKit_TheTighterBudgetWins()
    {
        string directory = Directory.CreateTempSubdirectory("gw-budget-kit-").FullName;
        string kit = Path.Combine(directory, "spec.yaml");
        await File.WriteAllTextAsync(kit, """
            schemaVersion: "1"
            kind: mixin
            name: loose-kit
            network:
              allowedDomains: [api.example.test]
              budgets: { connections: 50 }
            """);
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"]],
            config => config with
            {
                Kits = [kit],
                Sandboxes = [new SandboxConfig("flooder", [s_flooder], ["loose-kit"], null) { Budgets = new BudgetLimits(1, null, null, null) }],
            });
        try
        {
            using RawClient first = await OpenTunnelAsync(gateway, s_flooder);
            (int second, _, _) = await ConnectAsync(gateway, s_flooder);

            Assert.Equal(429, second);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
