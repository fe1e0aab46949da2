using PolicyCompiler.Yaml;

namespace PolicyCompiler.Tests.Yaml;

/// <summary>
/// The one reader behind configuration and kit files: every way a text fails is a value with its
/// line, never an exception, and every node keeps its origin (file, line, column, key path).
/// </summary>
public class YamlDocumentReaderTests
{
    [Theory]
    [InlineData("a: [\n", YamlProblemKind.Syntax, 2)]
    [InlineData("a: 1\na: 2\n", YamlProblemKind.DuplicateKey, 2)]
    [InlineData("a: [x, y\nb: 1\n", YamlProblemKind.Unterminated, 0)]
    [InlineData("a: &x [1]\nb: *x\n", YamlProblemKind.Alias, 2)]
    public void BrokenText_IsOneProblem_WithItsLine(string text, YamlProblemKind kind, int line)
    {
        var problems = new List<YamlProblem>();

        ConfigNode? root = YamlDocumentReader.Read(text, "t.yaml", allowAliases: false, problems);

        Assert.Null(root);
        YamlProblem problem = Assert.Single(problems);
        Assert.Equal((kind, line), (problem.Kind, problem.Line));
        Assert.DoesNotContain("(Line:", problem.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("(Line:", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey_NamesTheKey()
    {
        var problems = new List<YamlProblem>();

        YamlDocumentReader.Read("listen: {}\nlisten: {}\n", "t.yaml", allowAliases: true, problems);

        Assert.Equal("listen", Assert.Single(problems).Detail);
        Assert.Equal("duplicate key \"listen\"; write each key once", problems[0].Message);
    }

    [Fact]
    public void Aliases_AreReadWhereAllowed_EachUseWithItsOwnNodesAndPath()
    {
        var problems = new List<YamlProblem>();

        ConfigNode? root = YamlDocumentReader.Read("a: &x [1]\nb: *x\n", "t.yaml", allowAliases: true, problems);

        Assert.Empty(problems);
        Assert.NotNull(root);
        Assert.Equal(["a", "b"], root.Entries.Select(e => e.Key));
        ConfigNode a = root.Entries[0].Value;
        ConfigNode b = root.Entries[1].Value;
        Assert.NotSame(a, b);
        Assert.Equal(("a[0]", "b[0]"), (a.Items[0].Origin.KeyPath, b.Items[0].Origin.KeyPath));
        Assert.Equal("1", b.Items[0].Value);
    }

    [Fact]
    public void SecondDocument_IsReported_AndTheFirstIsStillRead()
    {
        var problems = new List<YamlProblem>();

        ConfigNode? root = YamlDocumentReader.Read("a: 1\n---\nb: 2\n", "t.yaml", allowAliases: true, problems);

        Assert.Equal((YamlProblemKind.ExtraDocument, 3), (Assert.Single(problems).Kind, problems[0].Line));
        Assert.Equal("a", Assert.Single(root!.Entries).Key);
    }

    [Fact]
    public void KeyThatIsNotAName_IsReported_AndTheRestIsStillRead()
    {
        var problems = new List<YamlProblem>();

        ConfigNode? root = YamlDocumentReader.Read("? [x]\n: 1\nb: 2\n", "t.yaml", allowAliases: false, problems);

        YamlProblem problem = Assert.Single(problems);
        Assert.Equal((YamlProblemKind.KeyNotAName, 1), (problem.Kind, problem.Line));
        Assert.Equal("a key must be a non-empty name, found a list", problem.Message);
        Assert.Equal("b", Assert.Single(root!.Entries).Key);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DeepNesting_IsAProblem_NotAStackOverflow(bool allowAliases)
    {
        var problems = new List<YamlProblem>();
        string text = "a: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        Assert.Null(YamlDocumentReader.Read(text, "t.yaml", allowAliases, problems));

        YamlProblem problem = Assert.Single(problems);
        Assert.Equal((YamlProblemKind.TooDeep, 1, 3 + YamlDocumentReader.MaxDepth), (problem.Kind, problem.Line, problem.Column));
    }

    [Fact]
    public void NestingUpToTheLimit_IsRead()
    {
        var problems = new List<YamlProblem>();
        int lists = YamlDocumentReader.MaxDepth - 1;
        string text = "a: " + new string('[', lists) + new string(']', lists) + "\n";

        Assert.NotNull(YamlDocumentReader.Read(text, "t.yaml", allowAliases: false, problems));
        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void NoDocument_IsNullWithoutProblems(string text)
    {
        var problems = new List<YamlProblem>();

        Assert.Null(YamlDocumentReader.Read(text, "t.yaml", allowAliases: true, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void NodesKeepFileLineColumnAndKeyPath()
    {
        const string Text = "a: 1\n\nb:\n  c: 2\n  \"api.example.test\":\n    - x\n    - { d: y }\n";
        var problems = new List<YamlProblem>();

        ConfigNode root = YamlDocumentReader.Read(Text, "dir/spec.yaml", allowAliases: false, problems)!;

        Assert.Empty(problems);
        Assert.Equal([1, 3], root.Entries.Select(e => e.KeyOrigin.Line));
        ConfigNode b = root.Entries[1].Value;
        ConfigEntry c = b.Entries[0];
        Assert.Equal(new ConfigOrigin("dir/spec.yaml", 4, 3, "b.c", null), c.KeyOrigin);
        Assert.Equal(new ConfigOrigin("dir/spec.yaml", 4, 6, "b.c", null), c.Value.Origin);
        ConfigNode hosts = b.Entries[1].Value;
        Assert.Equal("b[\"api.example.test\"]", b.Entries[1].KeyOrigin.KeyPath);
        Assert.Equal((6, "b[\"api.example.test\"][0]"), (hosts.Items[0].Origin.Line, hosts.Items[0].Origin.KeyPath));
        ConfigEntry d = hosts.Items[1].Entries[0];
        Assert.Equal((7, 9, "b[\"api.example.test\"][1].d"), (d.KeyOrigin.Line, d.KeyOrigin.Column, d.KeyOrigin.KeyPath));
    }

    [Theory]
    [InlineData("", ConfigNodeKind.Null, null)]
    [InlineData("~", ConfigNodeKind.Null, null)]
    [InlineData("null", ConfigNodeKind.Null, null)]
    [InlineData("\"null\"", ConfigNodeKind.Scalar, "null")]
    [InlineData("x", ConfigNodeKind.Scalar, "x")]
    [InlineData("[]", ConfigNodeKind.Sequence, null)]
    [InlineData("{}", ConfigNodeKind.Mapping, null)]
    public void Values_FollowTheCoreSchema(string value, ConfigNodeKind kind, string? text)
    {
        var problems = new List<YamlProblem>();
        ConfigNode root = YamlDocumentReader.Read("a: " + value + "\n", "t.yaml", allowAliases: true, problems)!;

        ConfigNode a = Assert.Single(root.Entries).Value;
        Assert.Equal((kind, text), (a.Kind, a.Value));
    }
}
