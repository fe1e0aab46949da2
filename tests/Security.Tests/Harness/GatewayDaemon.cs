using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Gateway.EndToEnd.Tests;

namespace Security.Tests.Harness;

/// <summary>
/// The built gateway as its own process (what an init system runs), on free loopback ports, with
/// a YAML config written for the test and its policy set by the CLI first. Exposes the process
/// id for /proc figures (RSS, open descriptors).
/// </summary>
internal sealed class GatewayDaemon : IDisposable
{
    private readonly RunningGateway _running;

    private GatewayDaemon(RunningGateway running, string root, int port, int metricsPort, int pid)
    {
        _running = running;
        Root = root;
        Port = port;
        MetricsPort = metricsPort;
        Pid = pid;
    }

    public string Root { get; }

    public string StateDir => Path.Combine(Root, "state");

    public string AuditFile => Path.Combine(StateDir, "audit.jsonl");

    public int Port { get; }

    public int MetricsPort { get; }

    public int Pid { get; }

    public RunningGateway Process => _running;

    /// <summary>
    /// Starts `gateway run`, with <paramref name="extraYaml"/> appended to a config that opens loopback and pins the test names,
    /// and <paramref name="listenYaml"/> (e.g. <c>dns: 127.0.0.1:PORT</c>) added to its <c>listen</c> section;
    /// <paramref name="runArguments"/> go after <c>run --config FILE</c> (e.g. <c>--log-format json</c>).
    /// </summary>
    public static async Task<GatewayDaemon> StartAsync(string[][] policyCommands, string extraYaml = "", string listenYaml = "", string[]? runArguments = null)
    {
        string root = Directory.CreateTempSubdirectory("gw-sec-").FullName;
        string state = Path.Combine(root, "state");
        foreach (string[] command in policyCommands)
        {
            (await GatewayProcess.RunAsync(["--state-dir", state, .. command])).AssertSuccess();
        }

        // A port picked free can be taken by someone else's outgoing connection before the gateway binds it
        // (the load tests churn thousands of ephemeral ports): a gateway that ended at once is started again on new ports.
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePorts.Tcp();
            int metrics = FreePorts.Tcp();
            string config = Path.Combine(root, "gateway.yaml");
            await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
                listen:
                  forward: 127.0.0.1:{port}
                  metrics: 127.0.0.1:{metrics}
                  {listenYaml}
                resolve:
                  hosts:
                    api.example.test: 127.0.0.1
                    other.example.test: 127.0.0.1
                egress:
                  allowCidrs: [127.0.0.0/8]
                limits:
                  headerTimeout: 5s
                {extraYaml}
                """));
            RunningGateway running = GatewayProcess.Start(["--state-dir", state, "run", "--config", config, .. runArguments ?? []]);
            int pid = await FindPidAsync(state, running);
            if (pid > 0 && await WaitUntilListeningAsync(port, running))
            {
                return new GatewayDaemon(running, root, port, metrics, pid);
            }

            GatewayResult ended = await running.WaitAsync();
            running.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"the gateway ended before it listened on {port} (exit {ended.ExitCode}): {ended.Stderr}{ended.Stdout}");
            }
        }
    }

    /// <summary>Resident set size of the gateway process, in bytes.</summary>
    public long Rss() => Status("VmRSS:");

    /// <summary>Open file descriptors of the gateway process.</summary>
    public int OpenDescriptors() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    public void Dispose()
    {
        _running.Kill();
        _running.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private long Status(string field)
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    // The gateway process is the one whose command line names this test's state directory.
    private static async Task<int> FindPidAsync(string state, RunningGateway running)
    {
        for (int attempt = 0; attempt < 600 && !running.HasExited; attempt++)
        {
            foreach (string dir in Directory.GetDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    try
                    {
                        string cmdline = await File.ReadAllTextAsync(Path.Combine(dir, "cmdline"));
                        if (cmdline.Contains(state, StringComparison.Ordinal) && cmdline.Contains("\0run\0", StringComparison.Ordinal))
                        {
                            return pid;
                        }
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                    }
                }
            }

            await Task.Delay(50);
        }

        return running.HasExited ? 0 : throw new TimeoutException("the gateway process did not appear within 30 s");
    }

    private static async Task<bool> WaitUntilListeningAsync(int port, RunningGateway running)
    {
        for (int attempt = 0; attempt < 300 && !running.HasExited; attempt++)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        return running.HasExited ? false : throw new TimeoutException($"the gateway did not listen on {port} within 30 s");
    }
}
