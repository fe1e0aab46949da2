using Gateway.Interception.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Gateway.Tests.Interception.Forwarding;

/// <summary>Issue 16 item 5: the methods a request may be taken for, override headers included.</summary>
public sealed class RequestMethodsTests
{
    [Fact]
    public void ARequestWithoutOverrides_HasOnlyItsOwnMethod()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";

        RequestMethods methods = RequestMethods.Of(context.Request);

        Assert.Equal(("GET", (List<string>?)null), (methods.Own, methods.Overrides));
    }

    [Theory]
    [InlineData("X-HTTP-Method-Override")]
    [InlineData("X-HTTP-Method")]
    [InlineData("X-Method-Override")]
    [InlineData("x-http-method-override")]
    public void EachOverrideHeader_NamesAMethod_UpperCased(string header)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Headers[header] = "delete";

        RequestMethods methods = RequestMethods.Of(context.Request);

        Assert.Equal(["DELETE"], methods.Overrides!);
    }

    [Fact]
    public void ListsAndRepeatedHeaders_NameEveryItem()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Headers["X-HTTP-Method-Override"] = new Microsoft.Extensions.Primitives.StringValues(["PUT, DELETE", "PATCH"]);
        context.Request.Headers["X-Method-Override"] = " ";

        RequestMethods methods = RequestMethods.Of(context.Request);

        Assert.Equal(["PUT", "DELETE", "PATCH"], methods.Overrides!);
    }
}
