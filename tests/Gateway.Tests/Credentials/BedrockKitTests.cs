using Gateway.Interception;
using Gateway.Interception.Forwarding;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;

namespace Gateway.Tests.Credentials;

/// <summary>The shipped Bedrock kit binds its aws source to both Bedrock hosts with scheme aws-sigv4 and AWS-shaped placeholders.</summary>
public sealed class BedrockKitTests
{
    private static readonly string s_kit = Path.Combine(AppContext.BaseDirectory, "testdata", "ops-kits", "bedrock", "spec.yaml");

    [Theory]
    [InlineData("bedrock-runtime.us-east-1.amazonaws.com")]
    [InlineData("bedrock.us-east-1.amazonaws.com")]
    public void TheShippedKit_SignsForBothBedrockHosts(string host)
    {
        var errors = new List<KitError>();
        Assert.True(KitParser.TryLoad(s_kit, out KitSpec? kit, errors), string.Join("\n", errors));
        PolicySnapshot snapshot = SnapshotCompiler.Compile([], [kit.ToRules()]);
        Assert.True(snapshot.TryGetKitIndex(kit.Name, out int index));

        InterceptionPlan plan = InterceptionTable.Build(snapshot, [kit]).Find(KitSet.None.With(index), host, 443)!;

        ServiceBinding binding = Assert.Single(plan.Injections);
        Assert.Equal(KitAuthScheme.AwsSigV4, binding.Auth!.Scheme);
        Assert.Equal(("us-east-1", "bedrock"), (binding.Auth.Region, binding.Auth.Service));
        Assert.NotNull(binding.Source.Aws);
        Assert.Equal(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"], plan.BoundVariables.Order());
    }

    [Fact]
    public void ItsPlaceholders_LookLikeAwsKeys()
    {
        var placeholders = new Placeholders();

        Assert.Matches("^AKIA[A-Z0-9]{16}$", placeholders.For("dev", "AWS_ACCESS_KEY_ID"));
        Assert.Matches("^[A-Za-z0-9+/]{40}$", placeholders.For("dev", "AWS_SECRET_ACCESS_KEY"));
    }
}
