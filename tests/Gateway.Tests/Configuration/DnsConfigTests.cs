using System.Net;
using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

public sealed class DnsConfigTests
{
    [Fact]
    public void AnswerAddress_IsReadAsAnIpAddress()
    {
        GatewayConfig config = Load("dns:\n  answerAddress: 10.209.0.1\n", out List<string> errors);

        Assert.Empty(errors);
        Assert.Equal(IPAddress.Parse("10.209.0.1"), config.Dns!.AnswerAddress);
    }

    [Fact]
    public void AnswerAddress_Absent_AnswersWithTheArrivalAddress()
    {
        GatewayConfig config = Load("", out List<string> errors);

        Assert.Empty(errors);
        Assert.Null(config.Dns?.AnswerAddress);
    }

    [Theory]
    [InlineData("dns:\n  answerAddress: gateway.example.test\n", "test.yaml:2: dns.answerAddress: \"gateway.example.test\" is not an IP address; write a literal such as 10.209.0.1, or leave it out to answer with the address each query arrived on")]
    [InlineData("dns:\n  answerAdress: 10.209.0.1\n", "test.yaml:2: dns.answerAdress: unknown key; did you mean \"answerAddress\"?")]
    public void BadDnsSection_IsReportedWithItsKey(string yaml, string expected)
    {
        Load(yaml, out List<string> errors);

        Assert.Equal([expected], errors);
    }

    private static GatewayConfig Load(string yaml, out List<string> errors)
    {
        errors = [];
        ConfigLoader.TryLoadYaml(yaml, "test.yaml", ConfigLoader.NoEnvironment, new ConfigLoadOptions { StateDirOption = "/tmp/gw-config-test" }, out GatewayConfig config, errors);
        return config;
    }
}
