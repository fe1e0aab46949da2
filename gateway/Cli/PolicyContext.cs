using System.CommandLine;
using Gateway.Admin;
using Gateway.Configuration;
using Gateway.Policy;
using Gateway.Sandboxes;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace Gateway.Cli;

/// <summary>The policy sources of a CLI invocation; kit problems stop the command, every one listed.</summary>
internal sealed class PolicyContext
{
    private readonly PolicySources _sources;

    private PolicyContext(PolicySources sources) => _sources = sources;

    public GatewayConfig Config => _sources.Config;

    public PolicyStore Store => _sources.Store;

    public static PolicyContext Open(ParseResult result, CliContext context, GlobalOptions options) =>
        new(new PolicySources(options.LoadConfig(result, context), context.Time));

    public List<PolicyRule> GlobalRules(StoredPolicy stored) => _sources.GlobalRules(stored);

    public List<KitSpec> LoadKits(StoredPolicy stored, IReadOnlyList<string> extraPaths)
    {
        var errors = new List<KitError>();
        List<KitSpec> kits = _sources.LoadKits(stored, extraPaths, errors);
        return errors.Count == 0 ? kits : throw new CliException(string.Join(Environment.NewLine + "gateway: ", errors));
    }

    public PolicySnapshot Compile(StoredPolicy stored, List<KitSpec> kits) => _sources.Compile(stored, kits);

    /// <summary>
    /// Checks that <paramref name="sandbox"/> names a sandbox the gateway knows: "host", the config's
    /// static sandboxes, and those vmm registered (asked of the running daemon, else read from the
    /// state directory). A typo must fail now, not leave a rule that never decides.
    /// </summary>
    public async Task RequireKnownSandboxAsync(string sandbox, CancellationToken cancellation)
    {
        var known = new List<string> { "host" };
        List<SandboxRow>? running = await AdminClient.TryListSandboxesAsync(Config.Listen.Admin, cancellation).ConfigureAwait(false);
        if (running is not null)
        {
            foreach (SandboxRow row in running)
            {
                known.Add(row.Name);
            }
        }
        else
        {
            foreach (SandboxConfig configured in Config.Sandboxes)
            {
                known.Add(configured.Name);
            }

            foreach (SandboxRegistration registered in SandboxRegistry.LoadRegistrations(Config.StateDir))
            {
                known.Add(registered.Name);
            }
        }

        if (!known.Contains(sandbox, StringComparer.Ordinal))
        {
            throw new CliException($"unknown sandbox \"{sandbox}\"; known sandboxes: {string.Join(", ", known)} (see `gateway sandbox ls`)");
        }
    }

    /// <summary>
    /// After a change to the store: a running daemon recompiles before this returns, so the
    /// change applies to its very next connection. No daemon is fine: it reads the store at start.
    /// </summary>
    public async Task NotifyDaemonAsync(CancellationToken cancellation)
    {
        AdminReloadResult? result = await AdminClient.TryReloadAsync(Config.Listen.Admin, cancellation).ConfigureAwait(false);
        if (result is { Reloaded: false })
        {
            throw new CliException("the change is saved, but the running gateway refused the new policy and keeps the previous one: "
                + string.Join("; ", result.Errors));
        }
    }
}
