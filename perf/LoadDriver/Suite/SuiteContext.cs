using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace LoadDriver.Suite;

/// <summary>
/// What every scenario shares: options, the scratch directory, the origin (its ports and CA),
/// and every process the suite started, so all of them are stopped by PID whatever happens.
/// </summary>
internal sealed class SuiteContext : IDisposable
{
    private readonly List<ManagedProcess> _started = [];

    public SuiteContext(SuiteOptions options)
    {
        Options = options;
        Directory.CreateDirectory(options.WorkDir);
        Directory.CreateDirectory(Path.Combine(options.WorkDir, "logs"));
    }

    public SuiteOptions Options { get; }

    /// <summary>Scratch directory.</summary>
    public string Work => Options.WorkDir;

    /// <summary>The built gateway (Release).</summary>
    public string GatewayDll => Path.Combine(Options.Root, "gateway", "bin", "Release", "net10.0", "gateway.dll");

    /// <summary>Origin plain HTTP port.</summary>
    public int OriginHttp { get; set; }

    /// <summary>Origin HTTPS port.</summary>
    public int OriginTls { get; set; }

    /// <summary>Origin bulk port.</summary>
    public int OriginBulk { get; set; }

    /// <summary>The origin's CA (trusted by the driver for direct and pass-through TLS).</summary>
    public X509Certificate2? OriginCa { get; set; }

    /// <summary>Path of the origin CA's PEM.</summary>
    public string OriginCaPath => Path.Combine(Work, Origin.OriginCertificates.CaFileName);

    /// <summary>Prints a progress line on stderr.</summary>
    public static void Say(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {message}"));

    /// <summary>Starts a proxy under test on the proxy core.</summary>
    public ManagedProcess StartProxy(string name, IReadOnlyDictionary<string, string>? environment, string program, params string[] arguments) =>
        Start(name, Options.ProxyCore, environment, program, arguments);

    /// <summary>Starts a process on the load core (the origin).</summary>
    public ManagedProcess StartLoadSide(string name, string program, params string[] arguments) =>
        Start(name, Options.LoadCore, null, program, arguments);

    /// <summary>Writes a file in the scratch directory and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        string path = Path.Combine(Work, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Stops one process (SIGTERM, bounded wait, SIGKILL).</summary>
    public static void Stop(ManagedProcess? process)
    {
        if (process is not null)
        {
            Say($"stopping {process.Name} (pid {process.Pid})");
            process.Stop(TimeSpan.FromSeconds(10));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (ManagedProcess process in _started)
        {
            process.Dispose();
        }

        _started.Clear();
        OriginCa?.Dispose();
    }

    private ManagedProcess Start(string name, string core, IReadOnlyDictionary<string, string>? environment, string program, string[] arguments)
    {
        string log = Path.Combine(Work, "logs", name + ".log");
        ManagedProcess process = ManagedProcess.Start(name, core, log, environment, program, arguments);
        _started.Add(process);
        Say($"started {name} (pid {process.Pid}, cpu {core})");
        return process;
    }
}
