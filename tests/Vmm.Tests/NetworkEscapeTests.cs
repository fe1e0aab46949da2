using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Vmm.Tests;

/// <summary>
/// Invariant 1 from inside a real netns sandbox: the gateway is the only way out. Each case
/// first shows the target answers (from the host, or from the other sandbox itself), then that
/// the sandbox cannot reach it and that nftables counted the drop.
/// </summary>
public sealed class NetworkEscapeTests(SandboxHost host) : IClassFixture<SandboxHost>
{
    [RootNetworkFact]
    public async Task HostEnd_OnAPortThatIsNotTheGatewaysOwn_IsDropped()
    {
        (string name, string iface, IPAddress address, IPAddress gateway) = await CreateAsync("port");
        using var probe = new ProbeListener(ProtocolType.Tcp);
        string url = $"http://{gateway}:{probe.Port}/";
        (await Tool.RunAsync("curl", ["--silent", "--max-time", "5", url])).AssertSuccess();
        long before = await NftCounters.DroppedAsync(iface + "_in", "not a gateway port");

        (await host.CurlAsync(name, url, false, "--connect-timeout", "2")).AssertFailed();

        Assert.False(probe.WasReachedFrom(address));
        Assert.True(await NftCounters.DroppedAsync(iface + "_in", "not a gateway port") > before);
    }

    [RootNetworkFact]
    public async Task MetricsPort_IsDropped_EvenWhenItListensOnEveryAddress()
    {
        (string name, string iface, _, IPAddress gateway) = await CreateAsync("metrics");
        string url = $"http://{gateway}:{host.MetricsPort}/metrics";
        (await Tool.RunAsync("curl", ["--silent", "--show-error", "--fail", "--max-time", "10", "-o", "/dev/null", url])).AssertSuccess();
        long before = await NftCounters.DroppedAsync(iface + "_in", "not a gateway port");

        (await host.CurlAsync(name, url, false, "--connect-timeout", "2")).AssertFailed();

        Assert.True(await NftCounters.DroppedAsync(iface + "_in", "not a gateway port") > before);
    }

    [RootNetworkFact]
    public async Task AnotherSandbox_AndItsHostEnd_AreUnreachable()
    {
        (string a, string aIface, _, IPAddress aGateway) = await CreateAsync("a");
        (string b, _, IPAddress bAddress, IPAddress bGateway) = await CreateAsync("b");
        int port = Random.Shared.Next(20000, 30000);
        using Process server = StartInside(b, "openssl", "s_server", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-cert", Path.Combine(host.Root, "b-cert.pem"), "-key", Path.Combine(host.Root, "b-key.pem"), "-www", "-quiet");
        try
        {
            string url = $"https://{bAddress}:{port}/";
            await WaitUntilServedAsync(b, url);
            long before = await NftCounters.DroppedAsync(aIface + "_route", "not addressed to the host");
            long hostBefore = await NftCounters.DroppedAsync(aIface + "_in", "host address");

            (await host.CurlAsync(a, url, false, "-k", "--connect-timeout", "2")).AssertFailed();
            (await host.CurlAsync(a, $"https://{SandboxHost.AllowedHost}/", true, "--proxy", $"http://{aGateway}:{host.ForwardPort}")).AssertSuccess();
            (await host.CurlAsync(a, $"https://{SandboxHost.AllowedHost}/", true, "--proxy", $"http://{bGateway}:{host.ForwardPort}", "--connect-timeout", "2")).AssertFailed();

            Assert.True(await NftCounters.DroppedAsync(aIface + "_route", "not addressed to the host") > before);
            Assert.True(await NftCounters.DroppedAsync(aIface + "_in", "host address") > hostBefore);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [RootNetworkFact]
    public async Task Udp_ToTheGatewayOnANonDnsPort_IsDropped()
    {
        (string name, string iface, IPAddress address, IPAddress gateway) = await CreateAsync("udp");
        using var probe = new ProbeListener(ProtocolType.Udp);
        using (var client = new UdpClient())
        {
            await client.SendAsync(new byte[] { 1 }, new IPEndPoint(gateway, probe.Port));
        }

        Assert.True(await probe.WaitForAsync(gateway, TimeSpan.FromSeconds(5)), "the probe does not receive datagrams even from the host");
        long before = await NftCounters.DroppedAsync(iface + "_in", "not a gateway port");

        (await host.ExecAsync(name, "bash", "-c", $"echo probe > /dev/udp/{gateway}/{probe.Port}; echo quic > /dev/udp/{gateway}/443")).AssertSuccess();

        Assert.False(await probe.WaitForAsync(address, TimeSpan.FromSeconds(2)));
        Assert.True(await NftCounters.DroppedAsync(iface + "_in", "not a gateway port") >= before + 2);
    }

    [RootNetworkFact]
    public async Task SpoofedSourceAddress_IsDropped()
    {
        (string a, string aIface, _, IPAddress aGateway) = await CreateAsync("spoofer");
        (_, _, IPAddress victim, _) = await CreateAsync("victim");
        string pin = $"{SandboxHost.AllowedHost}:443:{aGateway}";
        (await host.CurlAsync(a, $"https://{SandboxHost.AllowedHost}/", false, "--resolve", pin)).AssertSuccess();
        // As root in the namespace, which nothing vmm runs is: the rules must hold even then.
        (await Tool.RunAsync("ip", ["-n", a, "addr", "add", victim + "/32", "dev", "eth0"])).AssertSuccess();
        long before = await NftCounters.DroppedAsync(aIface + "_guard", "spoofed");

        ToolResult spoofed = await host.CurlAsync(a, $"https://{SandboxHost.AllowedHost}/", false, "--resolve", pin, "--interface", victim.ToString(), "--connect-timeout", "2");

        spoofed.AssertFailed();
        Assert.True(await NftCounters.DroppedAsync(aIface + "_guard", "spoofed") > before);
    }

    [RootNetworkFact]
    public async Task Ipv6_ToTheHostEnd_IsDropped()
    {
        (string name, string iface, _, _) = await CreateAsync("ipv6");
        using var probe = new ProbeListener(ProtocolType.Tcp, AddressFamily.InterNetworkV6);
        string linkLocal = await LinkLocalAsync([], iface);

        // The sandbox end needs its own link-local address, or curl fails without sending a packet.
        await LinkLocalAsync(["-n", name], "eth0");
        (await Tool.RunAsync("curl", ["--silent", "--max-time", "5", "-g", $"http://[{linkLocal}%{iface}]:{probe.Port}/"])).AssertSuccess();
        int reached = probe.Count;
        long before = await NftCounters.DroppedAsync(iface + "_guard", "IPv6");

        (await host.CurlAsync(name, $"http://[{linkLocal}%eth0]:{probe.Port}/", false, "-g", "--connect-timeout", "2")).AssertFailed();

        Assert.Equal(reached, probe.Count);
        Assert.True(await NftCounters.DroppedAsync(iface + "_guard", "IPv6") > before);
    }

    [RootNetworkFact(Needs = "ping:iputils-ping")]
    public async Task Icmp_OnlyEchoToTheGateway_IsAnswered()
    {
        (string a, string aIface, _, IPAddress aGateway) = await CreateAsync("icmp-a");
        (string b, _, IPAddress bAddress, IPAddress bGateway) = await CreateAsync("icmp-b");
        (await host.ExecAsync(b, "ping", "-c", "1", "-W", "3", bGateway.ToString())).AssertSuccess();
        long routed = await NftCounters.DroppedAsync(aIface + "_route", "not addressed to the host");
        long local = await NftCounters.DroppedAsync(aIface + "_in", "host address");

        (await host.ExecAsync(a, "ping", "-c", "1", "-W", "3", aGateway.ToString())).AssertSuccess();
        (await host.ExecAsync(a, "ping", "-c", "1", "-W", "2", bAddress.ToString())).AssertFailed();
        (await host.ExecAsync(a, "ping", "-c", "1", "-W", "2", bGateway.ToString())).AssertFailed();

        Assert.True(await NftCounters.DroppedAsync(aIface + "_route", "not addressed to the host") > routed);
        Assert.True(await NftCounters.DroppedAsync(aIface + "_in", "host address") > local);
    }

    private async Task<(string Name, string Interface, IPAddress Address, IPAddress Gateway)> CreateAsync(string suffix)
    {
        string name = host.Name(suffix);
        JsonElement row = await host.CreateAsync(name);
        return (name, row.GetProperty("interface").GetString()!, IPAddress.Parse(row.GetProperty("address").GetString()!), IPAddress.Parse(row.GetProperty("gateway").GetString()!));
    }

    private Process StartInside(string sandbox, params string[] argv)
    {
        if (!File.Exists(Path.Combine(host.Root, "b-cert.pem")))
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=b", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllText(Path.Combine(host.Root, "b-cert.pem"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(host.Root, "b-key.pem"), key.ExportPkcs8PrivateKeyPem());
        }

        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in (string[])["netns", "exec", sandbox, .. argv])
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    // The other sandbox serves its own address: proof the target is up before A is refused it.
    private async Task WaitUntilServedAsync(string sandbox, string url)
    {
        ToolResult last = null!;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            last = await host.CurlAsync(sandbox, url, false, "-k", "-o", "/dev/null", "--fail");
            if (last.ExitCode == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        last.AssertSuccess();
    }

    // The kernel gives a veth end its fe80:: address once duplicate address detection finishes.
    private static async Task<string> LinkLocalAsync(string[] where, string iface)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            ToolResult show = (await Tool.RunAsync("ip", [.. where, "-6", "-o", "addr", "show", "dev", iface, "scope", "link"])).AssertSuccess();
            if (!show.Stdout.Contains("tentative", StringComparison.Ordinal) && show.Stdout.Contains("inet6 fe80", StringComparison.Ordinal))
            {
                string field = show.Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(f => f != "inet6").ElementAt(1);
                return field[..field.IndexOf('/', StringComparison.Ordinal)];
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{iface} has no usable IPv6 link-local address after 10 s");
    }
}
