using System.CommandLine;

namespace Vmm.Cli;

/// <summary>What every command shares: the state directory option and the output streams.</summary>
internal sealed class VmmContext(Option<string?> stateDir, TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>The state directory, found exactly as the gateway finds it.</summary>
    public string StateDirectory(ParseResult result)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string name in (string[])[Gateway.Configuration.StateDirectory.EnvironmentVariable, "XDG_STATE_HOME", "HOME"])
        {
            environment[name] = Environment.GetEnvironmentVariable(name);
        }

        return Gateway.Configuration.StateDirectory.Resolve(result.GetValue(stateDir), environment);
    }

    /// <summary>Stops a command that changes the host's network when not root.</summary>
    public static void RequireRoot(string command)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new VmmException($"{command} needs root (network namespaces, links and nftables rules); run it with sudo");
        }
    }
}
