using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.Tests.Docs;

/// <summary>ops/systemd: the units verify, are hardened, and the gateway speaks Type=notify.</summary>
public sealed partial class SystemdUnitTests
{
    private static readonly string[] s_units = ["egress-gateway.service", "egress-gateway-vmm.service"];

    [ToolFact("systemd-analyze", "systemd")]
    public async Task Units_PassSystemdAnalyzeVerify_WithoutAWarning()
    {
        // verify insists that ExecStart's binary exists: copies of the units point at stand-ins
        // in a temporary directory; everything else is verified as shipped.
        string dir = Directory.CreateTempSubdirectory("gw-units-").FullName;
        try
        {
            string bin = Directory.CreateDirectory(Path.Combine(dir, "opt")).FullName;
            foreach (string tool in (string[])["gateway", "vmm"])
            {
                File.Copy("/bin/true", Path.Combine(bin, tool));
            }

            var paths = new List<string>();
            foreach (string unit in s_units)
            {
                string text = RepoFiles.Read("ops/systemd/" + unit).Replace("/opt/egress-gateway/", bin + "/", StringComparison.Ordinal);
                string path = Path.Combine(dir, unit);
                File.WriteAllText(path, text);
                paths.Add(path);
            }

            ToolResult verify = await ToolRun.RunAsync("systemd-analyze", ["verify", .. paths], TimeSpan.FromSeconds(60), workingDirectory: dir);
            Assert.True(verify.Exit == 0 && verify.Stderr.Trim().Length == 0, verify.ToString());

            ToolResult security = await ToolRun.RunAsync("systemd-analyze", ["security", "--offline=true", paths[0]], TimeSpan.FromSeconds(60), workingDirectory: dir);
            Match level = ExposureLevel().Match(security.Stdout);
            Assert.True(level.Success, security.ToString());
            double exposure = double.Parse(level.Groups["level"].Value, CultureInfo.InvariantCulture);
            Assert.True(exposure <= 4.0, $"egress-gateway.service exposure {exposure} (systemd-analyze security): harden it again\n{security.Stdout}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void GatewayUnit_IsHardenedAndNotifies()
    {
        Dictionary<string, string> service = Settings(RepoFiles.Read("ops/systemd/egress-gateway.service"));
        Assert.Equal("notify", service["Type"]);
        Assert.Equal("true", service["NoNewPrivileges"]);
        Assert.Equal("strict", service["ProtectSystem"]);
        Assert.Equal("/var/lib/egress-gateway", service["ReadWritePaths"]);
        Assert.Equal("CAP_NET_BIND_SERVICE", service["AmbientCapabilities"]);
        Assert.Equal("CAP_NET_BIND_SERVICE", service["CapabilityBoundingSet"]);
        Assert.Equal("egress-gateway", service["User"]);
        Assert.StartsWith("/opt/egress-gateway/gateway run --config /etc/egress-gateway/gateway.yaml", service["ExecStart"], StringComparison.Ordinal);
    }

    [Fact]
    public void VmmUnit_RunsAfterTheGateway()
    {
        Dictionary<string, string> unit = Settings(RepoFiles.Read("ops/systemd/egress-gateway-vmm.service"));
        Assert.Equal("egress-gateway.service", unit["After"]);
        Assert.Equal("egress-gateway.service", unit["Requires"]);
        Assert.StartsWith("/opt/egress-gateway/vmm ", unit["ExecStart"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_UnderSystemd_SendsReadyOnceListening_SurvivesAReload_AndSendsStoppingOnSigterm()
    {
        // Microsoft.Extensions.Hosting.Systemd notifies only when its parent process is named
        // "systemd": a bash started through a link of that name plays the parent, and a unix
        // datagram socket plays $NOTIFY_SOCKET.
        string dir = Directory.CreateTempSubdirectory("gw-notify-").FullName;
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            string socketPath = Path.Combine(dir, "notify");
            notify.Bind(new UnixDomainSocketEndPoint(socketPath));
            File.CreateSymbolicLink(Path.Combine(dir, "systemd"), "/bin/bash");
            string pidFile = Path.Combine(dir, "gateway.pid");
            var environment = new Dictionary<string, string?>
            {
                ["NOTIFY_SOCKET"] = socketPath,
                ["GATEWAY_STATE_DIR"] = Path.Combine(dir, "state"),
                ["GATEWAY__LISTEN__FORWARD"] = "127.0.0.1:" + FreePort(),
                ["GATEWAY__LISTEN__METRICS"] = "127.0.0.1:" + FreePort(),
            };

            // In the background and waited for, so bash stays the parent instead of exec-ing the gateway.
            string script = $"'{ToolRun.DotnetHost}' '{RepoFiles.GatewayDll}' run & echo $! > '{pidFile}'; wait $!";
            Task<ToolResult> run = ToolRun.RunAsync(Path.Combine(dir, "systemd"), ["-c", script], TimeSpan.FromSeconds(90), environment);

            string ready = await ReceiveAsync(notify, run);
            Assert.Equal("READY=1", ready);

            // A policy change while it runs: the reload logs through the boot logger, which once
            // was disposed by then and took the daemon down (no STOPPING=1 would follow).
            ToolResult allow = await ToolRun.GatewayAsync(environment, "policy", "allow", "network", "example.com");
            Assert.True(allow.Exit == 0, allow.ToString());

            // SIGTERM, as systemd stops a unit.
            string gatewayPid = (await File.ReadAllTextAsync(pidFile)).Trim();
            ToolResult kill = await ToolRun.RunAsync("kill", ["-TERM", gatewayPid], TimeSpan.FromSeconds(10));
            Assert.True(kill.Exit == 0, kill.ToString());
            Assert.Equal("STOPPING=1", await ReceiveAsync(notify, run));

            ToolResult stopped = await run;
            Assert.DoesNotContain("Exception", stopped.Output, StringComparison.Ordinal);
            Assert.Contains("listening: forward proxy", stopped.Output, StringComparison.Ordinal);
            Assert.Contains("policy: reloaded", stopped.Output, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', stopped.Output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket, Task<ToolResult> process)
    {
        byte[] buffer = new byte[4096];
        Task<int> receive = socket.ReceiveAsync(buffer, SocketFlags.None);
        Task first = await Task.WhenAny(receive, process, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != receive)
        {
            Assert.Fail(first == process ? "the gateway ended before notifying:\n" + await process : "no notification within 60 s");
        }

        return Encoding.ASCII.GetString(buffer, 0, await receive).Trim();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Dictionary<string, string> Settings(string unit)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in unit.Split('\n'))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !line.StartsWith('#'))
            {
                settings[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        return settings;
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (?<level>[0-9.]+)")]
    private static partial Regex ExposureLevel();
}
