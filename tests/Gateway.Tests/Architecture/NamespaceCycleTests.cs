using Gateway.Tests.Docs;

namespace Gateway.Tests.Architecture;

/// <summary>
/// The folders of <c>gateway/</c> refer to each other one way only (issue 17, point 6): Hosting wires
/// everything up and nothing refers back to it; the entry points (Listeners, Dns) and the policy use
/// interception, which refers to none of them.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly Lazy<NamespaceGraph> s_graph = new(() => NamespaceGraph.Read(RepoFiles.PathOf("gateway")));

    /// <summary>Pairs of folders: the first may refer to the second, never the other way.</summary>
    public static TheoryData<string, string> Directions => new()
    {
        { "Hosting", "Interception" },
        { "Hosting", "Listeners" },
        { "Hosting", "Dns" },
        { "Hosting", "Policy" },
        { "Hosting", "Decisions" },
        { "Listeners", "Interception" },
        { "Dns", "Interception" },
        { "Dns", "Listeners" },
        { "Policy", "Interception" },
    };

    [Theory]
    [MemberData(nameof(Directions))]
    public void LowerFolder_DoesNotReferToUpper(string upper, string lower)
    {
        IReadOnlyList<string> back = s_graph.Value.Uses(lower, upper);
        Assert.True(back.Count == 0, $"{lower} must not refer to {upper} ({upper} refers to {lower}); found:\n  {string.Join("\n  ", back)}");
    }

    [Theory]
    [InlineData("Hosting", "Interception")]
    [InlineData("Hosting", "Listeners")]
    [InlineData("Listeners", "Interception")]
    [InlineData("Policy", "Interception")]
    [InlineData("Dns", "Listeners")]
    public void Scanner_SeesReferencesThatExist(string from, string to) =>
        Assert.NotEmpty(s_graph.Value.Uses(from, to));

    [Fact]
    public void FolderOf_PutsSubNamespacesInTheirFolder()
    {
        Assert.Equal("Interception", NamespaceGraph.FolderOf("Gateway.Interception.Tls"));
        Assert.Equal("Listeners", NamespaceGraph.FolderOf("Gateway.Listeners"));
        Assert.Null(NamespaceGraph.FolderOf("Gateway"));
    }
}
