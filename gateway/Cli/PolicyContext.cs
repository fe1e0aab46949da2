using System.CommandLine;
using System.Net.Sockets;
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
    /// Applies an edit the one way there is (<see cref="PolicyEditor"/>): through the running
    /// daemon's admin API when one answers (<paramref name="throughDaemon"/>; it applies the edit
    /// under its lock and it is live before the answer), else to the state directory under its lock
    /// (<paramref name="here"/>), which a daemon started later reads. A refusal prints every line
    /// but the last on stderr and fails with the last.
    /// </summary>
    public async Task<T> EditAsync<T>(
        CliContext context,
        Func<UnixDomainSocketEndPoint, CancellationToken, Task<T?>> throughDaemon,
        Func<PolicyEditor, T> here,
        CancellationToken cancellation)
        where T : class
    {
        try
        {
            return await throughDaemon(Config.Listen.Admin, cancellation).ConfigureAwait(false)
                ?? here(new PolicyEditor(_sources, new SandboxRegistry(Config.Sandboxes, Config.StateDir)));
        }
        catch (PolicyEditException e)
        {
            foreach (string error in e.Errors.SkipLast(1))
            {
                context.Error.WriteLine("gateway: " + error);
            }

            throw new CliException(e.Errors[^1]);
        }
    }
}
