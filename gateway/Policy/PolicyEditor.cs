using Gateway.Sandboxes;
using PolicyCompiler.Compilation;
using PolicyCompiler.Groups;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Policy;

/// <summary>
/// The one code path that changes the policy store: <c>policy allow|deny|rm|set-default|reset</c>
/// and an approval in ask mode. The daemon's admin API and the CLI with no daemon both call it;
/// they differ only in how a change is applied. In the daemon (<see cref="LivePolicy"/> given) the
/// store is written and the new snapshot swapped in under the policy's lock, so the next decision
/// sees the change; without one the store is written under its file lock and the daemon reads it
/// at start. Refusals are <see cref="PolicyEditException"/>s whose lines name the rule and the fix.
/// </summary>
internal sealed partial class PolicyEditor
{
    private readonly PolicySources _sources;
    private readonly SandboxRegistry _sandboxes;
    private readonly LivePolicy? _live;

    /// <summary>Edits the store directly: no daemon runs.</summary>
    public PolicyEditor(PolicySources sources, SandboxRegistry sandboxes)
    {
        _sources = sources;
        _sandboxes = sandboxes;
    }

    /// <summary>Edits the running daemon's policy: each change is live before the call returns.</summary>
    public PolicyEditor(LivePolicy live, SandboxRegistry sandboxes)
        : this(live.Sources, sandboxes) => _live = live;

    /// <summary>The state directory's policy file.</summary>
    public PolicyStore Store => _sources.Store;

    /// <summary>
    /// Adds one local rule of <paramref name="decision"/> for <paramref name="resources"/> (comma-separated
    /// patterns), for <paramref name="sandbox"/> only when given, dropped after <paramref name="lifetime"/>
    /// when given. Patterns a live local rule of the same decision and scope already has are left out.
    /// </summary>
    public RuleAddition Add(RuleDecision decision, string resources, string? sandbox, TimeSpan? lifetime)
    {
        var patterns = new List<RulePattern>();
        var errors = new List<string>();
        if (!PatternParser.TryParseList(resources, patterns, errors))
        {
            throw new PolicyEditException(errors, PolicyEditFailure.Invalid);
        }

        if (sandbox is not null)
        {
            RequireKnownSandbox(sandbox);
        }

        DateTimeOffset now = _sources.Time.GetUtcNow();
        DateTimeOffset? expiresAt = lifetime is { } duration ? now + duration : null;
        (StoredRule? added, List<string> present, StoredPolicy after) = Apply(store => store.Update(policy =>
        {
            (StoredPolicy next, StoredRule? rule, List<string> already) = LocalRules.Add(policy, decision, patterns, now, sandbox, expiresAt);
            return (next, (rule, already, next));
        }));
        List<string> warnings = added is not null && decision == RuleDecision.Allow ? ShadowingDenies(after, patterns, sandbox) : [];
        return new RuleAddition(DecisionText(decision), sandbox, added, present, warnings);
    }

    /// <summary><see cref="Add(RuleDecision, string, string?, TimeSpan?)"/> for a request of the admin API, its fields checked first.</summary>
    public RuleAddition Add(RuleAddRequest request)
    {
        RuleDecision decision = request.Decision switch
        {
            "allow" => RuleDecision.Allow,
            "deny" => RuleDecision.Deny,
            _ => throw new PolicyEditException($"decision \"{request.Decision}\" is neither allow nor deny"),
        };
        TimeSpan? lifetime = null;
        if (request.For is { } text)
        {
            lifetime = RuleLifetime.TryParse(text, out TimeSpan duration, out string error) ? duration : throw new PolicyEditException(error);
        }

        return Add(decision, request.Resources ?? string.Empty, request.Sandbox, lifetime);
    }

    /// <summary>Chooses the default network policy; local rules are kept.</summary>
    public DefaultChoice SetDefault(string name)
    {
        if (!DefaultPolicies.TryParse(name, out _))
        {
            throw new PolicyEditException($"\"{name}\" is not a default policy; use one of {string.Join(", ", DefaultPolicies.Names)}");
        }

        Apply(store => store.Update(stored => (stored with { Default = name }, 0)));
        return new DefaultChoice(name);
    }

    /// <summary>Deletes the store: local rules, the chosen default and kit references; built-in groups stay.</summary>
    public PolicyReset Reset()
    {
        StoredPolicy deleted = Apply(store => store.Reset());
        return new PolicyReset(deleted.Rules.Count, deleted.Default);
    }

    /// <summary>
    /// Fails unless <paramref name="sandbox"/> is one the gateway knows: "host", the config's, and
    /// those vmm registered. A typo must fail now, not leave a rule that never decides.
    /// </summary>
    public void RequireKnownSandbox(string sandbox)
    {
        if (sandbox != Sandbox.Host.Name && _sandboxes.Find(sandbox, out string known) is null)
        {
            throw new PolicyEditException($"unknown sandbox \"{sandbox}\"; known sandboxes: {known} (see `gateway sandbox ls`)");
        }
    }

    private T Apply<T>(Func<PolicyStore, T> write)
    {
        try
        {
            return _live is null ? write(_sources.Store) : _live.Edit(write);
        }
        catch (PolicyStoreException e)
        {
            throw new PolicyEditException(e.Message);
        }
    }

    private static string DecisionText(RuleDecision decision) => decision == RuleDecision.Allow ? "allow" : "deny";

    // An allow that a deny overrides does nothing; say so now rather than leave the
    // operator puzzling over a 403 later.
    private List<string> ShadowingDenies(StoredPolicy policy, List<RulePattern> patterns, string? sandbox)
    {
        var warnings = new List<string>();
        PolicySnapshot snapshot = SnapshotCompiler.Compile(_sources.GlobalRules(policy));
        KitSet kits = sandbox is not null && snapshot.TryGetSandboxIndex(sandbox, out int index) ? KitSet.None.WithSandbox(index) : KitSet.None;
        foreach (RulePattern pattern in patterns)
        {
            if (pattern.Kind is not (PatternKind.Exact or PatternKind.Address))
            {
                continue;
            }

            Decision decision = snapshot.Decide(pattern.Host.AsSpan(), pattern.Port == 0 ? 443 : pattern.Port, kits);
            if (decision.Reason == DecisionReason.DenyRule)
            {
                warnings.Add($"{pattern.Text} stays blocked: deny rule {decision.RuleId} ({decision.Pattern}) wins over any allow; "
                    + $"remove it with `gateway policy rm network --id {decision.RuleId}`");
            }
        }

        return warnings;
    }
}
