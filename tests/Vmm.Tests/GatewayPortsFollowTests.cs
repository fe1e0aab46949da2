using System.Text.Json;

namespace Vmm.Tests;

/// <summary>
/// A sandbox follows its gateway: after a restart on other ports, the next <c>vmm exec</c> gets the
/// new proxy variables and the sandbox's nftables chains redirect to the new ports, without
/// recreating anything; and a forward proxy bound to one host address (not the wildcard) is
/// offered to sandboxes at that address.
/// </summary>
public sealed class GatewayPortsFollowTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    [RootNetworkFact]
    public async Task AfterARestartOnOtherPorts_ProxyVariablesAndRedirects_Follow()
    {
        string name = host.Name("follow");
        JsonElement row = await host.CreateAsync(name);
        string gateway = row.GetProperty("gateway").GetString()!;
        string iface = row.GetProperty("interface").GetString()!;
        int oldTls = host.TransparentTlsPort;

        await host.RestartOnOtherPortsAsync("0.0.0.0");

        ToolResult proxy = (await host.ExecAsync(name, "printenv", "https_proxy")).AssertSuccess();
        ToolResult transparent = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/")).AssertSuccess();
        ToolResult forward = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/", viaProxy: true)).AssertSuccess();
        ToolResult chains = (await Tool.RunAsync("nft", ["list", "chain", "inet", "egress_gateway", iface + "_dnat"])).AssertSuccess();

        Assert.Equal($"http://{gateway}:{host.ForwardPort}\n", proxy.Stdout);
        Assert.Equal("hello from " + SandboxHost.AllowedHost, transparent.Stdout);
        Assert.Equal("hello from " + SandboxHost.AllowedHost, forward.Stdout);
        Assert.Contains($"tcp dport 443 redirect to :{host.TransparentTlsPort}", chains.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain($":{oldTls}\n", chains.Stdout, StringComparison.Ordinal);
    }

    [RootNetworkFact]
    public async Task ForwardProxy_BoundToTheSandboxFacingAddress_IsOfferedAtThatAddress()
    {
        string first = host.Name("facing");
        string second = host.Name("facing2");
        string facing = (await host.CreateAsync(first)).GetProperty("gateway").GetString()!;
        await host.RestartOnOtherPortsAsync(facing);
        JsonElement other = await host.CreateAsync(second);

        foreach (string name in (string[])[first, second])
        {
            ToolResult proxy = (await host.ExecAsync(name, "printenv", "https_proxy")).AssertSuccess();
            // A generous bound: the gateway has just restarted, and other classes load the machine.
            ToolResult forward = (await host.CurlAsync(name, $"https://{SandboxHost.AllowedHost}/", true, "--max-time", "30")).AssertSuccess();

            Assert.Equal($"http://{facing}:{host.ForwardPort}\n", proxy.Stdout);
            Assert.Equal("hello from " + SandboxHost.AllowedHost, forward.Stdout);
        }

        // The forward port is open at that one address only, not on the second sandbox's own host end.
        ToolResult own = await host.CurlAsync(second, $"https://{SandboxHost.AllowedHost}/", true,
            "--proxy", $"http://{other.GetProperty("gateway").GetString()}:{host.ForwardPort}", "--connect-timeout", "2");
        Assert.NotEqual(0, own.ExitCode);
    }

    [RootNetworkFact]
    public async Task ForwardProxy_OnLoopback_GivesNoProxyVariables_AndSaysWhy()
    {
        string name = host.Name("loop");
        await host.RestartOnOtherPortsAsync("127.0.0.1");

        ToolResult create = (await host.VmmAsync("create", name)).AssertSuccess();
        await host.VmmAsync("rm", name);

        Assert.Contains($"the forward proxy listens on 127.0.0.1:{host.ForwardPort}, which sandboxes cannot reach", create.Stderr, StringComparison.Ordinal);
    }
}
