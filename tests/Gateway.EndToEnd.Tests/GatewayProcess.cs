using System.Diagnostics;

namespace Gateway.EndToEnd.Tests;

/// <summary>
/// Runs the built <c>gateway.dll</c> as a real process: stdin redirected and closed at once
/// (so it is never a terminal), stdout and stderr captured, <c>GATEWAY_STATE_DIR</c> removed
/// unless the caller sets it, and every wait bounded by <see cref="Timeout"/>.
/// </summary>
internal static class GatewayProcess
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>The longest any one gateway process may take before the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<string> s_gatewayDll = new(LocateGatewayDll);

    /// <summary>The gateway assembly built by the same configuration as these tests.</summary>
    public static string GatewayDll => s_gatewayDll.Value;

    /// <summary>Runs <c>gateway ARGS</c> to completion.</summary>
    /// <param name="args">The command line after <c>gateway</c>.</param>
    /// <param name="environment">Variables to set (a null value removes one).</param>
    public static async Task<GatewayResult> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using RunningGateway running = Start(args, environment);
        return await running.WaitAsync();
    }

    /// <summary>Starts <c>gateway ARGS</c> and returns while it runs (to kill it, or to start others alongside).</summary>
    public static RunningGateway Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        info.ArgumentList.Add(GatewayDll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("GATEWAY_STATE_DIR");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach ((string name, string? value) in environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(name);
                }
                else
                {
                    info.Environment[name] = value;
                }
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
        return new RunningGateway(process, string.Join(' ', args));
    }

    // The muxer that runs this test host, so the gateway runs on the same runtime.
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }

    private static string LocateGatewayDll()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                string dll = Path.Combine(dir.FullName, "gateway", "bin", Configuration, "net10.0", "gateway.dll");
                return File.Exists(dll)
                    ? dll
                    : throw new FileNotFoundException($"{dll} is missing; build Gateway.sln -c {Configuration} first", dll);
            }
        }

        throw new DirectoryNotFoundException($"no directory above {AppContext.BaseDirectory} holds Gateway.sln");
    }
}
