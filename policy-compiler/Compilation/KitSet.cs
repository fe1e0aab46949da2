namespace PolicyCompiler.Compilation;

/// <summary>
/// The kits a sandbox was started with, as a bit set over a snapshot's kit indices
/// (<see cref="PolicySnapshot.TryGetKitIndex"/>). A value type so a decision carries it without allocating.
/// </summary>
public readonly struct KitSet : IEquatable<KitSet>
{
    /// <summary>The most kits one snapshot can hold.</summary>
    public const int Capacity = 64;

    private readonly ulong _bits;

    private KitSet(ulong bits) => _bits = bits;

    /// <summary>No kits: only global rules apply.</summary>
    public static KitSet None => default;

    /// <summary>The set as bits: bit i for the kit at index i.</summary>
    internal ulong Bits => _bits;

    /// <summary>True when no kit is in the set.</summary>
    public bool IsEmpty => _bits == 0;

    /// <summary>This set plus the kit at <paramref name="index"/>.</summary>
    public KitSet With(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Capacity);
        return new KitSet(_bits | (1UL << index));
    }

    /// <summary>True when the kit at <paramref name="index"/> is in the set.</summary>
    public bool Contains(int index) => (uint)index < Capacity && (_bits & (1UL << index)) != 0;

    /// <inheritdoc />
    public bool Equals(KitSet other) => _bits == other._bits;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is KitSet other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _bits.GetHashCode();

    /// <summary>Equality.</summary>
    public static bool operator ==(KitSet left, KitSet right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(KitSet left, KitSet right) => !left.Equals(right);
}
