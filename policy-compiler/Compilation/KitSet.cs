namespace PolicyCompiler.Compilation;

/// <summary>
/// The kits a sandbox was started with, as a bit set over a snapshot's kit indices
/// (<see cref="PolicySnapshot.TryGetKitIndex"/>), and the sandbox's own scope index when rules
/// are scoped to it (<see cref="PolicySnapshot.TryGetSandboxIndex"/>). A value type so a decision
/// carries it without allocating.
/// </summary>
public readonly struct KitSet : IEquatable<KitSet>
{
    /// <summary>The most kits one snapshot can hold.</summary>
    public const int Capacity = 64;

    private readonly ulong _bits;

    // The sandbox's scope index + 1; 0 (the default) for a sandbox no rule is scoped to.
    private readonly int _sandbox;

    private KitSet(ulong bits, int sandbox)
    {
        _bits = bits;
        _sandbox = sandbox;
    }

    /// <summary>No kits: only global rules apply.</summary>
    public static KitSet None => default;

    /// <summary>The set as bits: bit i for the kit at index i.</summary>
    internal ulong Bits => _bits;

    /// <summary>
    /// The <see cref="RuleMatch.KitIndex"/> that the rules scoped to this sandbox carry, or
    /// <see cref="RuleMatch.Global"/> when none is: -1 - (index + 1) = <see cref="RuleMatch.SandboxScope"/>(index).
    /// </summary>
    internal int SandboxCode => -1 - _sandbox;

    /// <summary>True when no kit is in the set.</summary>
    public bool IsEmpty => _bits == 0;

    /// <summary>This set plus the kit at <paramref name="index"/>.</summary>
    public KitSet With(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Capacity);
        return new KitSet(_bits | (1UL << index), _sandbox);
    }

    /// <summary>This set for the sandbox with scope index <paramref name="index"/>: the rules scoped to it apply too.</summary>
    public KitSet WithSandbox(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfEqual(index, int.MaxValue);
        return new KitSet(_bits, index + 1);
    }

    /// <summary>True when the kit at <paramref name="index"/> is in the set.</summary>
    public bool Contains(int index) => (uint)index < Capacity && (_bits & (1UL << index)) != 0;

    /// <inheritdoc />
    public bool Equals(KitSet other) => _bits == other._bits && _sandbox == other._sandbox;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is KitSet other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_bits, _sandbox);

    /// <summary>Equality.</summary>
    public static bool operator ==(KitSet left, KitSet right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(KitSet left, KitSet right) => !left.Equals(right);
}
