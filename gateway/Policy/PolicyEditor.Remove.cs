using PolicyCompiler.Groups;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Policy;

/// <summary><c>policy rm</c>: by id or by resource, within one scope.</summary>
internal sealed partial class PolicyEditor
{
    /// <summary>Removes by id or by resource, whichever <paramref name="request"/> names (exactly one).</summary>
    public RuleRemoval Remove(RuleRemoveRequest request) => (request.Id, request.Resource) switch
    {
        ({ } id, null) => RemoveById(id, request.Sandbox),
        (null, { } resource) => RemoveResource(resource, request.Sandbox),
        _ => throw new PolicyEditException("give exactly one of --resource PATTERN or --id UUID"),
    };

    /// <summary>Removes the local rule with <paramref name="id"/>; with <paramref name="sandbox"/>, only if it is that sandbox's.</summary>
    public RuleRemoval RemoveById(string id, string? sandbox)
    {
        string bare = LocalRules.NormalizeId(id);
        if (BuiltInGroups.IsBuiltIn(bare))
        {
            throw new PolicyEditException($"\"{bare}\" is a built-in group and cannot be removed; block hosts in it with `gateway policy deny network HOST`, or switch defaults with `gateway policy set-default`");
        }

        DateTimeOffset now = _sources.Time.GetUtcNow();
        StoredRule? removed = Apply(store => store.Update(policy =>
        {
            StoredPolicy live = LocalRules.WithoutExpired(policy, now);
            foreach (StoredRule rule in live.Rules)
            {
                if (string.Equals(rule.Id, bare, StringComparison.OrdinalIgnoreCase) && sandbox is not null && !rule.HasScope(sandbox))
                {
                    // Removing a rule the operator did not mean is worse than a second try.
                    throw new PolicyEditException($"local:{rule.Id} is a rule of {(rule.Sandbox is { } other ? "sandbox " + other : "every sandbox")}, not of sandbox {sandbox}; "
                        + $"drop --sandbox {sandbox}{(rule.Sandbox is { } right ? " or use --sandbox " + right : string.Empty)}");
                }
            }

            (StoredPolicy next, StoredRule? removedRule) = LocalRules.RemoveById(live, bare, now);
            return (next, removedRule);
        }));
        return removed is null
            ? throw new PolicyEditException($"no local rule has id {bare}; see `gateway policy ls` (a rule added with --for is gone once it expires)", PolicyEditFailure.NotFound)
            : new RuleRemoval(sandbox, removed, null, 1);
    }

    /// <summary>Takes <paramref name="text"/> out of every local rule of scope <paramref name="sandbox"/> that has it.</summary>
    public RuleRemoval RemoveResource(string text, string? sandbox)
    {
        if (!PatternParser.TryParse(text.Trim(' '), out RulePattern? pattern, out string? error))
        {
            throw new PolicyEditException(error!);
        }

        DateTimeOffset now = _sources.Time.GetUtcNow();
        (int removed, List<string> elsewhere, bool scopeInUse) = Apply(store => store.Update(policy =>
        {
            bool inUse = sandbox is null;
            foreach (StoredRule rule in policy.Rules)
            {
                inUse |= rule.HasScope(sandbox);
            }

            (StoredPolicy next, int count) = LocalRules.RemoveResource(policy, pattern!, sandbox, now);
            var scopes = new List<string>();
            foreach (StoredRule rule in next.Rules)
            {
                if (rule.Resources.Contains(pattern!.Text, StringComparer.Ordinal) && !rule.HasScope(sandbox) && rule.Sandbox is { } other && !scopes.Contains(other))
                {
                    scopes.Add(other);
                }
            }

            return (next, (count, scopes, inUse));
        }));
        if (removed > 0)
        {
            return new RuleRemoval(sandbox, null, pattern!.Text, removed);
        }

        if (!scopeInUse)
        {
            // No rule has this scope: a typo is likelier than a rule already gone.
            RequireKnownSandbox(sandbox!);
        }

        if (elsewhere.Count > 0)
        {
            throw new PolicyEditException($"no local rule {(sandbox is null ? "of every sandbox" : "of sandbox " + sandbox)} has resource {pattern}; "
                + $"rules scoped to {string.Join(", ", elsewhere)} do: add --sandbox {elsewhere[0]}", PolicyEditFailure.NotFound);
        }

        foreach (PolicyRule group in BuiltInGroups.All)
        {
            if (group.Resources.Contains(pattern!))
            {
                throw new PolicyEditException($"{pattern} belongs to the built-in group {group.Id}, which cannot be removed; block it with `gateway policy deny network \"{pattern}\"`");
            }
        }

        throw new PolicyEditException($"no local rule has resource {pattern}; see `gateway policy ls`", PolicyEditFailure.NotFound);
    }
}
