// Validates XML files against an XSD with the JDK's own validator: java ValidateXml.java SCHEMA FILE...
// Prints "valid FILE" per file; exits 1 with the first error's line and message otherwise.
import java.io.File;
import javax.xml.XMLConstants;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import javax.xml.validation.Validator;
import org.xml.sax.SAXParseException;

public class ValidateXml {
  public static void main(String[] args) throws Exception {
    SchemaFactory factory = SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI);
    Validator validator = factory.newSchema(new File(args[0])).newValidator();
    for (int i = 1; i < args.length; i++) {
      try {
        validator.validate(new StreamSource(new File(args[i])));
        System.out.println("valid " + args[i]);
      } catch (SAXParseException e) {
        System.out.println("invalid " + args[i] + ":" + e.getLineNumber() + ":" + e.getColumnNumber() + ": " + e.getMessage());
        System.exit(1);
      }
    }
  }
}
