using System.Net;
using Gateway.Configuration;
using Gateway.Listeners;

namespace Gateway.Tests.Listeners;

/// <summary>
/// Issue 6 item 6: a sandbox in its own network namespace, its TCP redirected by nftables to the
/// transparent TLS listener; the gateway reads SO_ORIGINAL_DST and dials the SNI name on the
/// port the client aimed at. Only 10.209.0.0/16 inside the namespace this test creates is used.
/// </summary>
public sealed class RedirectedNamespaceTests
{
    [RootNetworkFact]
    public async Task RedirectedConnection_IsDialledOnItsOriginalPort_ByTheSniName()
    {
        string suffix = Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string ns = "gwt" + suffix;
        string hostSide = "gwh" + suffix;
        string sandboxSide = "gws" + suffix;
        string table = "gwtest" + suffix;
        const string HostAddress = "10.209.250.1";
        const string SandboxAddress = "10.209.250.2";
        await using TestUpstream upstream = await TestUpstream.StartAsync();
        try
        {
            await RunAsync("ip", "netns", "add", ns);
            await RunAsync("ip", "link", "add", hostSide, "type", "veth", "peer", "name", sandboxSide);
            await RunAsync("ip", "link", "set", sandboxSide, "netns", ns);
            await RunAsync("ip", "addr", "add", HostAddress + "/30", "dev", hostSide);
            await RunAsync("ip", "link", "set", hostSide, "up");
            await RunAsync("ip", "netns", "exec", ns, "ip", "addr", "add", SandboxAddress + "/30", "dev", sandboxSide);
            await RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", sandboxSide, "up");
            await RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");

            await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
                config => config with
                {
                    Listen = config.Listen with { TransparentTls = new IPEndPoint(IPAddress.Parse(HostAddress), 0) },
                    Transparent = config.Transparent with { DialTlsPort = 9 }, // wrong on purpose: SO_ORIGINAL_DST must win
                    Sandboxes = [new SandboxConfig("netns-sandbox", [IPAddress.Parse(SandboxAddress)], [], null)],
                });
            int listener = gateway.PortOf(ListenerKind.TransparentTls)!.Value;
            await RunAsync("nft", "add", "table", "ip", table);
            await RunAsync("nft", "add", "chain", "ip", table, "pre", "{ type nat hook prerouting priority dstnat; }");
            await RunAsync("nft", "add", "rule", "ip", table, "pre", "iifname", hostSide, "tcp", "dport", upstream.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "redirect", "to", ":" + listener);

            // The client aims at the host end of its link on the upstream's port; nftables redirects it.
            (int exit, string output) = await RunAsync(
                "ip", "netns", "exec", ns, "curl", "--silent", "--show-error", "--max-time", "30", "-k", "--noproxy", "*",
                "--resolve", $"api.example.test:{upstream.HttpsPort}:{HostAddress}", $"https://api.example.test:{upstream.HttpsPort}/");

            Assert.True(exit == 0, output);
            Assert.Equal("hello from api.example.test", output);
        }
        finally
        {
            await RunAsync("nft", "delete", "table", "ip", table);
            await RunAsync("ip", "link", "del", hostSide);
            await RunAsync("ip", "netns", "del", ns);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunAsync(file, args);
        return (exit, stdout + stderr);
    }
}
