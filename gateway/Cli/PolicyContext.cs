using System.CommandLine;
using Gateway.Admin;
using Gateway.Configuration;
using Gateway.Policy;
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
        new(new PolicySources(options.LoadConfig(result, context)));

    public List<PolicyRule> GlobalRules(StoredPolicy stored) => _sources.GlobalRules(stored);

    public List<KitSpec> LoadKits(StoredPolicy stored, IReadOnlyList<string> extraPaths)
    {
        var errors = new List<KitError>();
        List<KitSpec> kits = _sources.LoadKits(stored, extraPaths, errors);
        return errors.Count == 0 ? kits : throw new CliException(string.Join(Environment.NewLine + "gateway: ", errors));
    }

    public PolicySnapshot Compile(StoredPolicy stored, List<KitSpec> kits) => _sources.Compile(stored, kits);

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
