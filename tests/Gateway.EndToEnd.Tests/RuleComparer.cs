namespace Gateway.EndToEnd.Tests;

/// <summary>Compares rules field by field, resources in order (records compare lists by reference).</summary>
internal sealed class RuleComparer : IEqualityComparer<Rule>
{
    public static readonly RuleComparer Instance = new();

    public bool Equals(Rule? x, Rule? y) =>
        x is not null && y is not null
        && x.Id == y.Id && x.Type == y.Type && x.Decision == y.Decision && x.Source == y.Source
        && x.Resources.SequenceEqual(y.Resources, StringComparer.Ordinal);

    public int GetHashCode(Rule obj) => StringComparer.Ordinal.GetHashCode(obj.Id);
}
