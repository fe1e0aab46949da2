namespace Gateway.Configuration;

/// <summary>
/// Finds the state directory the same way for the daemon, every CLI command and vmm:
/// <c>--state-dir</c>, else <c>GATEWAY_STATE_DIR</c>, else the configuration's <c>stateDir</c>
/// (which <c>GATEWAY__STATEDIR</c> overrides), else <c>/var/lib/egress-gateway</c> for root and
/// <c>$XDG_STATE_HOME/egress-gateway</c> or <c>~/.local/state/egress-gateway</c> otherwise.
/// </summary>
internal static class StateDirectory
{
    /// <summary>The variable every command reads the state directory from.</summary>
    public const string EnvironmentVariable = "GATEWAY_STATE_DIR";

    /// <summary>The state directory of a gateway running as root.</summary>
    public const string SystemPath = "/var/lib/egress-gateway";

    /// <summary>The placeholder expanded in configuration paths.</summary>
    public const string Placeholder = "{stateDir}";

    private const string DirectoryName = "egress-gateway";

    /// <summary>The state directory for a CLI command that reads no configuration file.</summary>
    public static string Resolve(string? cliValue, IReadOnlyDictionary<string, string?> environment) =>
        Resolve(cliValue, environment, configValue: null, Environment.IsPrivilegedProcess, Environment.CurrentDirectory);

    /// <summary>
    /// The state directory, absolute and without a trailing separator. <paramref name="configValue"/>
    /// must already be absolute; relative CLI and environment values are taken against
    /// <paramref name="workingDirectory"/>. Empty values count as unset.
    /// </summary>
    public static string Resolve(
        string? cliValue,
        IReadOnlyDictionary<string, string?> environment,
        string? configValue,
        bool isRoot,
        string workingDirectory)
    {
        string? chosen = NonEmpty(cliValue) ?? NonEmpty(Get(environment, EnvironmentVariable)) ?? NonEmpty(configValue);
        return chosen is null ? Default(environment, isRoot) : Normalize(Path.GetFullPath(chosen, workingDirectory));
    }

    /// <summary>The default when nothing names a directory.</summary>
    public static string Default(IReadOnlyDictionary<string, string?> environment, bool isRoot)
    {
        if (isRoot)
        {
            return SystemPath;
        }

        // XDG Base Directory: a relative $XDG_STATE_HOME is invalid and must be ignored.
        string? xdg = NonEmpty(Get(environment, "XDG_STATE_HOME"));
        if (xdg is not null && Path.IsPathRooted(xdg))
        {
            return Normalize(Path.Combine(xdg, DirectoryName));
        }

        string? home = NonEmpty(Get(environment, "HOME"))
            ?? NonEmpty(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        // No home at all (a bare service account): the system path at least fails loudly on permissions,
        // where a shared temporary directory would invite another user to plant the admin socket.
        return home is null ? SystemPath : Normalize(Path.Combine(home, ".local", "state", DirectoryName));
    }

    private static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out string? value) ? value : null;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Normalize(string path) =>
        path.Length > 1 ? Path.TrimEndingDirectorySeparator(path) : path;
}
