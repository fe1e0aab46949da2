using System.Collections.Concurrent;
using System.Collections.Frozen;
using Gateway.Configuration;
using Gateway.Metrics;
using Gateway.Policy;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using PolicyCompiler.Budgets;

namespace Gateway.Sandboxes;

/// <summary>
/// Every sandbox's <see cref="SandboxBudget"/>: its config <c>budgets</c> tightened by the
/// <c>network.budgets</c> of its kits. A set is built the first time a sandbox is seen and reused
/// until the sandbox is registered again or a policy reload changes its kits' budgets; then the
/// limits are recomputed and, only when they changed, the limiters are replaced (an unchanged
/// reload keeps what the sandbox has used). The look-up on the data path is one dictionary read
/// and two reference compares.
/// </summary>
internal sealed class SandboxBudgets : IDisposable
{
    /// <summary>The connection item holding the <see cref="Sandbox"/> identified on accept, for the requests it carries.</summary>
    public static readonly object ItemKey = new();

    private readonly FrozenDictionary<string, BudgetLimits> _configured;
    private readonly Func<PolicyGeneration?> _generation;
    private readonly GatewayMetrics? _metrics;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _refresh = new();

    /// <summary>The budgets of <paramref name="config"/>'s sandboxes and of <paramref name="policy"/>'s kits.</summary>
    public SandboxBudgets(GatewayConfig config, LivePolicy policy, GatewayMetrics metrics)
        : this(config.Sandboxes, () => policy.Generation, metrics)
    {
    }

    /// <summary>For tests and benchmarks: configured sandboxes and a generation source (null: no kit budgets).</summary>
    public SandboxBudgets(IEnumerable<SandboxConfig> sandboxes, Func<PolicyGeneration?> generation, GatewayMetrics? metrics)
    {
        var configured = new Dictionary<string, BudgetLimits>(StringComparer.Ordinal);
        foreach (SandboxConfig sandbox in sandboxes)
        {
            if (!sandbox.Budgets.IsNone)
            {
                configured[sandbox.Name] = sandbox.Budgets;
            }
        }

        _configured = configured.ToFrozenDictionary(StringComparer.Ordinal);
        _generation = generation;
        _metrics = metrics;
    }

    /// <summary>The limiters of <paramref name="sandbox"/>; null when it has no budget at all.</summary>
    public SandboxBudget? For(Sandbox sandbox)
    {
        PolicyGeneration? generation = _generation();
        if (_entries.TryGetValue(sandbox.Name, out Entry? entry)
            && ReferenceEquals(entry.Sandbox, sandbox)
            && ReferenceEquals(entry.Generation, generation))
        {
            return entry.Budget;
        }

        return Refresh(sandbox, generation);
    }

    /// <summary>
    /// Admits a request of an intercepted connection against the budgets of the sandbox identified
    /// on accept; the budget it exceeded (counted) or <see cref="BudgetKind.None"/>. The caller
    /// refuses through its own recorder with <see cref="BudgetNames.Reason"/> as the rule id.
    /// </summary>
    public BudgetKind Admit(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? item) == true && item is Sandbox sandbox
            ? Admit(context, sandbox)
            : BudgetKind.None;

    /// <summary>Admits a request of <paramref name="sandbox"/>; the budget it exceeded (counted) or <see cref="BudgetKind.None"/>.</summary>
    public BudgetKind Admit(HttpContext context, Sandbox sandbox)
    {
        if (For(sandbox) is not { } budget)
        {
            return BudgetKind.None;
        }

        long? length = context.Request.ContentLength;
        BudgetKind exceeded = budget.TryAdmitRequest(length);
        if (exceeded != BudgetKind.None)
        {
            CountExceeded(exceeded);
            return exceeded;
        }

        if (length is null && budget.MetersUploads && context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false })
        {
            context.Request.Body = new MeteredUploadStream(context.Request.Body, budget, this);
        }

        return BudgetKind.None;
    }

    /// <summary>Counts a refusal in <c>gateway_budget_exceeded_total{budget}</c>.</summary>
    public void CountExceeded(BudgetKind kind) => _metrics?.RecordBudgetExceeded(kind);

    /// <summary>Retires every set's limiters.</summary>
    public void Dispose()
    {
        foreach (Entry entry in _entries.Values)
        {
            entry.Budget?.Dispose();
        }
    }

    private SandboxBudget? Refresh(Sandbox sandbox, PolicyGeneration? generation)
    {
        lock (_refresh)
        {
            _entries.TryGetValue(sandbox.Name, out Entry? old);
            BudgetLimits own = _configured.GetValueOrDefault(sandbox.Name) ?? BudgetLimits.None;
            BudgetLimits limits = generation is null ? own : generation.KitBudgets.Tighten(own, sandbox.Kits);
            SandboxBudget? budget = old?.Budget;
            if (budget is null ? !limits.IsNone : budget.Limits != limits)
            {
                // Leases of open connections stay valid: disposing a lease after its limiter is harmless.
                old?.Budget?.Dispose();
                budget = limits.IsNone ? null : new SandboxBudget(limits);
            }

            _entries[sandbox.Name] = new Entry(sandbox, generation, budget);
            return budget;
        }
    }

    private sealed record Entry(Sandbox Sandbox, PolicyGeneration? Generation, SandboxBudget? Budget);
}
