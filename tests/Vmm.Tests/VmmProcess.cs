namespace Vmm.Tests;

/// <summary>Runs the built <c>vmm.dll</c> as a real process, on the runtime that runs the tests.</summary>
internal static class VmmProcess
{
    private static readonly string s_vmmDll = Path.Combine(AppContext.BaseDirectory, "vmm.dll");

    /// <summary>Runs <c>vmm ARGS</c> with <c>GATEWAY_STATE_DIR</c> removed unless <paramref name="environment"/> sets it.</summary>
    public static Task<ToolResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var merged = new Dictionary<string, string?>(StringComparer.Ordinal) { ["GATEWAY_STATE_DIR"] = null, ["DOTNET_NOLOGO"] = "1" };
        foreach ((string name, string? value) in environment ?? new Dictionary<string, string?>())
        {
            merged[name] = value;
        }

        return Tool.RunAsync(Dotnet, [s_vmmDll, .. args], merged);
    }

    /// <summary>The muxer that runs this test host.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
        : "dotnet";
}
