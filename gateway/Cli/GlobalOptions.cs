using System.CommandLine;
using Gateway.Policy;
using PolicyCompiler.Groups;

namespace Gateway.Cli;

/// <summary>Options every command takes, and what they resolve to.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> StateDir { get; } = new("--state-dir")
    {
        Description = "State directory (policy store, admin socket, audit log). Default: $GATEWAY_STATE_DIR, "
            + "else /var/lib/egress-gateway as root, else ~/.local/state/egress-gateway",
        HelpName = "DIR",
        Recursive = true,
    };

    /// <summary>The state directory: --state-dir, then GATEWAY_STATE_DIR, then the per-user default.</summary>
    public string ResolveStateDirectory(ParseResult result, CliContext context)
    {
        string? value = result.GetValue(StateDir);
        if (string.IsNullOrWhiteSpace(value))
        {
            value = context.GetEnvironmentVariable("GATEWAY_STATE_DIR");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            if (Environment.IsPrivilegedProcess)
            {
                return "/var/lib/egress-gateway";
            }

            string? xdg = context.GetEnvironmentVariable("XDG_STATE_HOME");
            string home = context.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "state") : xdg, "egress-gateway");
        }

        return Path.GetFullPath(value);
    }

    public PolicyStore OpenStore(ParseResult result, CliContext context) => new(ResolveStateDirectory(result, context));

    /// <summary>The default used until `policy set-default` chooses one (config `policy.initialDefault`).</summary>
    public DefaultPolicy InitialDefault => DefaultPolicy.Balanced;
}
