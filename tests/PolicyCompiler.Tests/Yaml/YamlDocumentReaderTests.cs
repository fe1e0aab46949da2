using PolicyCompiler.Yaml;
using YamlDotNet.RepresentationModel;

namespace PolicyCompiler.Tests.Yaml;

/// <summary>The one reader behind configuration and kit files: every way a text fails is a value with its line, never an exception.</summary>
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

        YamlNode? root = YamlDocumentReader.Read(text, allowAliases: false, problems);

        Assert.Null(root);
        YamlProblem problem = Assert.Single(problems);
        Assert.Equal((kind, line), (problem.Kind, problem.Line));
        Assert.DoesNotContain("(Line:", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateKey_NamesTheKey()
    {
        var problems = new List<YamlProblem>();

        YamlDocumentReader.Read("listen: {}\nlisten: {}\n", allowAliases: true, problems);

        Assert.Equal("listen", Assert.Single(problems).Detail);
    }

    [Fact]
    public void Aliases_AreReadWhereAllowed()
    {
        var problems = new List<YamlProblem>();

        YamlNode? root = YamlDocumentReader.Read("a: &x [1]\nb: *x\n", allowAliases: true, problems);

        Assert.Empty(problems);
        Assert.Equal(2, Assert.IsType<YamlMappingNode>(root).Children.Count);
    }

    [Fact]
    public void SecondDocument_IsReported_AndTheFirstIsStillRead()
    {
        var problems = new List<YamlProblem>();

        YamlNode? root = YamlDocumentReader.Read("a: 1\n---\nb: 2\n", allowAliases: true, problems);

        Assert.Equal((YamlProblemKind.ExtraDocument, 3), (Assert.Single(problems).Kind, problems[0].Line));
        Assert.True(Assert.IsType<YamlMappingNode>(root).Children.ContainsKey(new YamlScalarNode("a")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    public void NoDocument_IsNullWithoutProblems(string text)
    {
        var problems = new List<YamlProblem>();

        Assert.Null(YamlDocumentReader.Read(text, allowAliases: true, problems));
        Assert.Empty(problems);
    }

    [Fact]
    public void NodesKeepTheirLines()
    {
        var problems = new List<YamlProblem>();

        var root = (YamlMappingNode)YamlDocumentReader.Read("a: 1\n\nb:\n  c: 2\n", allowAliases: true, problems)!;

        Assert.Equal([1, 3], root.Children.Keys.Select(k => k.Start.Line));
        Assert.Equal(4, ((YamlMappingNode)root.Children[new YamlScalarNode("b")]).Children[new YamlScalarNode("c")].Start.Line);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("~", true)]
    [InlineData("null", true)]
    [InlineData("\"null\"", false)]
    [InlineData("x", false)]
    public void IsNull_FollowsTheCoreSchema(string value, bool expected)
    {
        var problems = new List<YamlProblem>();
        var root = (YamlMappingNode)YamlDocumentReader.Read("a: " + value + "\n", allowAliases: true, problems)!;

        Assert.Equal(expected, YamlDocumentReader.IsNull(root.Children[new YamlScalarNode("a")]));
    }
}
