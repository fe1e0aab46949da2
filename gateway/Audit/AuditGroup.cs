namespace Gateway.Audit;

/// <summary>The running totals of one <see cref="AuditGroupKey"/>; mutated only under the aggregate's lock.</summary>
internal sealed class AuditGroup(AuditGroupKey key, in AuditEvent first)
{
    /// <summary>What the group is.</summary>
    public AuditGroupKey Key { get; } = key;

    /// <summary>The rule id of the latest event (a rule source may hold several rules).</summary>
    public string RuleId { get; set; } = first.RuleId;

    /// <summary>The port of every event so far, or null once two events differed.</summary>
    public int? Port { get; set; } = first.Port;

    /// <summary>The earliest event time.</summary>
    public DateTimeOffset FirstSeen { get; set; } = first.Time;

    /// <summary>The latest event time.</summary>
    public DateTimeOffset LastSeen { get; set; } = first.Time;

    /// <summary>Every credential source injected into the group's requests so far (names), comma-separated; null when none.</summary>
    public string? Injected { get; set; } = first.Injected;

    /// <summary>Events counted.</summary>
    public long Count { get; set; }

    /// <summary>The group's place in the aggregate's recency list (least recently seen first).</summary>
    public LinkedListNode<AuditGroup>? Node { get; set; }

    /// <summary>Counts <paramref name="e"/>; a summary line counts as the events it stands for.</summary>
    public void Add(in AuditEvent e)
    {
        Count += e.Suppressed > 0 ? e.Suppressed : 1;
        RuleId = e.RuleId;
        if (e.Injected is { } injected && !string.Equals(Injected, injected, StringComparison.Ordinal))
        {
            Injected = Union(Injected, injected);
        }
        if (Port != e.Port)
        {
            Port = null;
        }

        if (e.Time < FirstSeen)
        {
            FirstSeen = e.Time;
        }

        if (e.Time > LastSeen)
        {
            LastSeen = e.Time;
        }
    }

    /// <summary>The group as <c>policy log</c> prints it.</summary>
    public AuditLogRow ToRow() => new(
        Key.Sandbox, Key.Type, Key.Host, Port, Key.Proxy, Key.Rule, RuleId, Key.Decision, Key.WouldBlock, FirstSeen, LastSeen, Count, Injected, Key.Listener);

    // Source names are few per host; the union keeps the order they were first seen.
    private static string Union(string? seen, string added)
    {
        if (seen is null)
        {
            return added;
        }

        var names = new List<string>(seen.Split(','));
        foreach (string name in added.Split(','))
        {
            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        return string.Join(',', names);
    }
}
