using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.EndToEnd.Tests;
using Vmm.Admin;

namespace Vmm.Tests;

/// <summary>
/// A real gateway process set up as a vmm deployment runs it (sandbox-facing listeners on every
/// address, DNS on, metrics on every address so a test can show nftables keeps sandboxes off it),
/// a kit it loads, a loopback HTTPS upstream its <c>resolve.hosts</c> points at, and the sandboxes
/// tests create through the real <c>vmm</c>. Names carry a per-run prefix; everything is removed on dispose.
/// </summary>
public sealed class SandboxHost : IAsyncLifetime
{
    public const string AllowedHost = "api.example.test";
    public const string KitOnlyHost = "kit-only.example.test";
    public const string KitName = "vmm-test";

    /// <summary>A host the kit binds its credential to: intercepted, with the secret injected as x-api-key.</summary>
    public const string InjectHost = "inject.example.test";

    /// <summary>The real secret the gateway holds in its environment (TEST_API_KEY) and in <see cref="SecretFile"/>.</summary>
    public const string Secret = "real-secret-7f3a9c1e-never-in-a-sandbox";

    private readonly List<string> _sandboxes = [];
    private RunningGateway? _gateway;
    private TlsUpstream? _upstream;

    /// <summary>
    /// Under /var/tmp, traversable by everyone: sandboxes get a private /tmp and run as nobody, yet
    /// must read the upstream's certificate here, and the gateway's state directory and credential
    /// file in it are then in reach but for what vmm hides, which is what the isolation tests show.
    /// </summary>
    public string Root { get; } = Directory.CreateDirectory(
        Path.Combine("/var/tmp", "vmm-tests-" + Guid.NewGuid().ToString("N")[..10]),
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute).FullName;

    public string StateDir => Path.Combine(Root, "state");

    public string ConfigFile => Path.Combine(Root, "gateway.yaml");

    public string KitFile => Path.Combine(Root, "kit", "spec.yaml");

    /// <summary>A credential file the gateway's configuration names, world-readable on purpose: only vmm's hiding keeps it from sandboxes.</summary>
    public string SecretFile => Path.Combine(Root, "secrets", "api-key");

    /// <summary>A credential file the kit names, world-readable too.</summary>
    public string KitSecretFile => Path.Combine(Root, "secrets", "kit-key");

    /// <summary>The running gateway's process id.</summary>
    public int GatewayPid => _gateway?.Pid ?? 0;

    /// <summary>"v" and 5 random hex digits: sandboxes of parallel runs and leftovers never collide.</summary>
    public string Prefix { get; } = "v" + Random.Shared.Next(0x10000, 0xFFFFF).ToString("x5", CultureInfo.InvariantCulture);

    public int ForwardPort { get; private set; }

    public int TransparentHttpPort { get; private set; }

    public int TransparentTlsPort { get; private set; }

    public int DnsPort { get; private set; }

    public int MetricsPort { get; private set; }

    internal TlsUpstream Upstream => _upstream!;

    public async Task InitializeAsync()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return; // every test using this needs root and skips without it
        }

        _upstream = TlsUpstream.Start([AllowedHost, KitOnlyHost, InjectHost], Root);
        int[] chosen = FreePorts(5);
        (ForwardPort, TransparentHttpPort, TransparentTlsPort, DnsPort, MetricsPort) = (chosen[0], chosen[1], chosen[2], chosen[3], chosen[4]);
        Directory.CreateDirectory(Path.GetDirectoryName(KitFile)!);
        await File.WriteAllTextAsync(KitFile, $"""
            schemaVersion: "1"
            kind: mixin
            name: {KitName}
            network:
              allowedDomains:
                - {KitOnlyHost}
                - {InjectHost}
              serviceDomains:
                {InjectHost}: test-api
              serviceAuth:
                test-api:
                  headerName: x-api-key
                  valueFormat: "%s"
            credentials:
              sources:
                test-api:
                  env:
                    - TEST_API_KEY
                  file:
                    path: {KitSecretFile}
            environment:
              variables:
                KIT_REGION: eu
              proxyManaged:
                - TEST_API_KEY
            """);
        await WriteConfigAsync("0.0.0.0");
        Directory.CreateDirectory(Path.GetDirectoryName(SecretFile)!);
        await File.WriteAllTextAsync(SecretFile, Secret + "\n");
        await File.WriteAllTextAsync(KitSecretFile, Secret + "\n");
        (await GatewayAsync("policy", "set-default", "deny-all")).AssertSuccess();
        (await GatewayAsync("policy", "allow", "network", AllowedHost)).AssertSuccess();
        await StartGatewayAsync();
    }

    /// <summary>
    /// Stops the gateway and starts it again on new ports, the forward proxy bound to
    /// <paramref name="forwardAddress"/>: what a sandbox created before must follow.
    /// </summary>
    public async Task RestartOnOtherPortsAsync(string forwardAddress)
    {
        StopGateway();
        int[] chosen = FreePorts(5);
        (ForwardPort, TransparentHttpPort, TransparentTlsPort, DnsPort, MetricsPort) = (chosen[0], chosen[1], chosen[2], chosen[3], chosen[4]);
        await WriteConfigAsync(forwardAddress);
        await StartGatewayAsync();
    }

    private async Task WriteConfigAsync(string forwardAddress)
    {
        string upstream = _upstream!.Address.ToString();
        await File.WriteAllTextAsync(ConfigFile, $"""
            listen:
              forward: {forwardAddress}:{ForwardPort}
              transparentHttp: 0.0.0.0:{TransparentHttpPort}
              transparentTls: 0.0.0.0:{TransparentTlsPort}
              dns: 0.0.0.0:{DnsPort}
              metrics: 0.0.0.0:{MetricsPort}
              metricsAllowRemote: true
            resolve:
              hosts: {"{"} "{AllowedHost}": "{upstream}", "{KitOnlyHost}": "{upstream}", "{InjectHost}": "{upstream}" {"}"}
            egress:
              allowCidrs: [127.0.0.0/8]
            trust:
              extraRootCAs: [{_upstream.CaFile}]
            credentials:
              sources:
                file-secret:
                  file: {SecretFile}
            kits: [{KitFile}]
            """);
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (string name in _sandboxes)
            {
                await VmmAsync("rm", name);
            }

            if (Environment.IsPrivilegedProcess)
            {
                await VmmAsync("gc");
            }
        }
        finally
        {
            StopGateway();
            if (_upstream is not null)
            {
                await _upstream.DisposeAsync();
            }

            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>Runs <c>vmm --state-dir STATE ARGS</c>.</summary>
    internal Task<ToolResult> VmmAsync(params string[] args) => VmmProcess.RunAsync(["--state-dir", StateDir, .. args]);

    /// <summary>Runs <c>gateway --state-dir STATE ARGS</c> to completion.</summary>
    internal Task<GatewayResult> GatewayAsync(params string[] args) => GatewayProcess.RunAsync(["--state-dir", StateDir, .. args]);

    /// <summary>A sandbox name unique to this run.</summary>
    public string Name(string suffix) => Prefix + "-" + suffix;

    /// <summary>Creates a netns sandbox (removed on dispose) and returns its <c>vmm ls --json</c> row.</summary>
    public async Task<JsonElement> CreateAsync(string name, params string[] options)
    {
        _sandboxes.Add(name);
        (await VmmAsync(["create", name, .. options])).AssertSuccess();
        return await RowAsync(name) ?? throw new InvalidOperationException(name + " is not listed after create");
    }

    /// <summary>The sandbox's row in <c>vmm ls --json</c>, or null.</summary>
    public async Task<JsonElement?> RowAsync(string name)
    {
        ToolResult ls = (await VmmAsync("ls", "--json")).AssertSuccess();
        using var document = JsonDocument.Parse(ls.Stdout);
        foreach (JsonElement row in document.RootElement.EnumerateArray())
        {
            if (row.GetProperty("name").GetString() == name)
            {
                return row.Clone();
            }
        }

        return null;
    }

    /// <summary>Runs a command inside a sandbox through <c>vmm exec</c>.</summary>
    internal Task<ToolResult> ExecAsync(string name, params string[] argv) => VmmAsync(["exec", name, "--", .. argv]);

    /// <summary>curl inside the sandbox, bounded; the proxy variables are ignored unless <paramref name="viaProxy"/>.</summary>
    internal Task<ToolResult> CurlAsync(string name, string url, bool viaProxy = false, params string[] extra) =>
        ExecAsync(name, ["curl", "--silent", "--show-error", "--max-time", "5", "--cacert", Upstream.CaFile, .. viaProxy ? Array.Empty<string>() : ["--noproxy", "*"], .. extra, url]);

    /// <summary>Stops the gateway (SIGTERM) and starts it again on the same state directory and ports.</summary>
    public async Task RestartGatewayAsync()
    {
        StopGateway();
        await StartGatewayAsync();
    }

    /// <summary>Stops the gateway (SIGTERM); <see cref="StartGatewayAsync"/> starts it again.</summary>
    public void Stop() => StopGateway();

    /// <summary>Starts the gateway and waits until its admin API answers.</summary>
    public async Task StartGatewayAsync()
    {
        _gateway = GatewayProcess.Start(["run", "--config", ConfigFile, "--state-dir", StateDir], new Dictionary<string, string?> { ["TEST_API_KEY"] = Secret });
        using GatewayAdmin admin = GatewayAdmin.For(StateDir);
        for (int attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                await admin.StatusAsync(CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is GatewayNotRunningException or HttpRequestException)
            {
                await Task.Delay(200);
            }
        }

        GatewayResult? result = StopGateway();
        throw new TimeoutException("the gateway did not answer /status within 30 s: " + result);
    }

    private GatewayResult? StopGateway()
    {
        if (_gateway is null)
        {
            return null;
        }

        _gateway.Terminate();
        GatewayResult? result = null;
        try
        {
            result = _gateway.WaitAsync().GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
        }

        _gateway.Dispose();
        _gateway = null;
        return result;
    }

    private static int[] FreePorts(int count)
    {
        var ports = new HashSet<int>();
        while (ports.Count < count)
        {
            ports.Add(FreePort());
        }

        return [.. ports];
    }

    // A port free for TCP and UDP on every address (the DNS listener takes both).
    private static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Any, 0));
            int port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Any, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }
}
