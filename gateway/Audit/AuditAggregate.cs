namespace Gateway.Audit;

/// <summary>
/// The view <c>policy log</c> prints: events grouped by <see cref="AuditGroupKey"/> with first
/// seen, last seen and count. Bounded twice, so memory stays bounded and one sandbox's flood of
/// distinct hosts costs only that sandbox's rows: past <see cref="MaxGroupsPerSandbox"/> a
/// sandbox's own least recently seen group makes room; past <see cref="MaxGroups"/> in all, the
/// least recently seen group of the sandbox holding the most groups does. Every eviction is
/// counted in <see cref="Evicted"/>; the audit file keeps every event (or its summary line).
/// Thread-safe: the audit writer task adds, the admin API and the CLI read snapshots.
/// </summary>
internal sealed class AuditAggregate
{
    /// <summary>The default bound on groups (roughly 300 bytes each: ~30 MB at the bound).</summary>
    public const int DefaultMaxGroups = 100_000;

    /// <summary>The default bound on one sandbox's groups.</summary>
    public const int DefaultMaxGroupsPerSandbox = 10_000;

    private readonly Dictionary<AuditGroupKey, AuditGroup> _groups = [];
    private readonly Dictionary<string, LinkedList<AuditGroup>> _bySandbox = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _evicted;

    /// <summary>Creates an empty aggregate holding at most <paramref name="maxGroups"/> groups, <paramref name="maxGroupsPerSandbox"/> of one sandbox.</summary>
    public AuditAggregate(int maxGroups = DefaultMaxGroups, int maxGroupsPerSandbox = DefaultMaxGroupsPerSandbox)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxGroupsPerSandbox, 1);
        MaxGroups = maxGroups;
        MaxGroupsPerSandbox = Math.Min(maxGroupsPerSandbox, maxGroups);
    }

    /// <summary>The most groups held at once.</summary>
    public int MaxGroups { get; }

    /// <summary>The most groups held at once for one sandbox.</summary>
    public int MaxGroupsPerSandbox { get; }

    /// <summary>Groups held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count;
            }
        }
    }

    /// <summary>Groups evicted to stay within <see cref="MaxGroups"/> or <see cref="MaxGroupsPerSandbox"/>.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Counts <paramref name="e"/> in its group. Allocates only when the group (or the sandbox) is new.</summary>
    public void Add(in AuditEvent e)
    {
        var key = AuditGroupKey.Of(in e);
        lock (_lock)
        {
            if (_groups.TryGetValue(key, out AuditGroup? group))
            {
                LinkedList<AuditGroup> recency = group.Node!.List!;
                recency.Remove(group.Node);
                recency.AddLast(group.Node);
            }
            else
            {
                if (_bySandbox.TryGetValue(key.Sandbox, out LinkedList<AuditGroup>? own) && own.Count >= MaxGroupsPerSandbox)
                {
                    EvictOldest(own);
                }
                else if (_groups.Count >= MaxGroups)
                {
                    EvictOldest(Largest());
                }

                // Looked up again: an eviction that emptied a list removed it.
                if (!_bySandbox.TryGetValue(key.Sandbox, out own))
                {
                    own = new LinkedList<AuditGroup>();
                    _bySandbox.Add(key.Sandbox, own);
                }

                group = new AuditGroup(key, in e);
                group.Node = own.AddLast(group);
                _groups.Add(key, group);
            }

            group.Add(in e);
        }
    }

    /// <summary>Every group as a row, most recently seen first.</summary>
    public List<AuditLogRow> Snapshot()
    {
        List<AuditLogRow> rows;
        lock (_lock)
        {
            rows = new List<AuditLogRow>(_groups.Count);
            foreach (AuditGroup group in _groups.Values)
            {
                rows.Add(group.ToRow());
            }
        }

        rows.Sort(static (a, b) =>
        {
            int byTime = b.LastSeen.CompareTo(a.LastSeen);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Host, b.Host);
        });
        return rows;
    }

    // The sandbox holding the most groups pays for the bound in all: a flood evicts the flooder's rows.
    private LinkedList<AuditGroup> Largest()
    {
        LinkedList<AuditGroup>? largest = null;
        foreach (LinkedList<AuditGroup> list in _bySandbox.Values)
        {
            if (largest is null || list.Count > largest.Count)
            {
                largest = list;
            }
        }

        return largest!;
    }

    private void EvictOldest(LinkedList<AuditGroup> recency)
    {
        AuditGroup oldest = recency.First!.Value;
        recency.RemoveFirst();
        _groups.Remove(oldest.Key);
        if (recency.Count == 0)
        {
            _bySandbox.Remove(oldest.Key.Sandbox);
        }

        _evicted++;
    }
}
