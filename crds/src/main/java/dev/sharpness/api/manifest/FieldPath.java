package dev.sharpness.api.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** Field paths as problems show them: {@code spec.optimizer.base.betas[1]}. */
final class FieldPath {
    private FieldPath() {}

    static String child(String parent, String name) {
        return parent == null || parent.isEmpty() ? name : parent + "." + name;
    }

    static String element(String parent, int index) {
        return parent + "[" + index + "]";
    }

    /** The path of a Jackson binding error. */
    static String of(List<Reference> references) {
        String path = "";
        for (Reference reference : references) {
            path =
                    reference.getFieldName() != null
                            ? child(path, reference.getFieldName())
                            : element(path, reference.getIndex());
        }
        return path;
    }

    /** The path of the value a parser is at, from its chain of contexts. */
    static String of(JsonStreamContext context) {
        Deque<JsonStreamContext> chain = new ArrayDeque<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            chain.push(c);
        }
        String path = "";
        for (JsonStreamContext c : chain) {
            path =
                    c.inObject()
                            ? child(path, c.getCurrentName())
                            : element(path, c.getCurrentIndex());
        }
        return path;
    }

    /**
     * The context holding the field whose value the parser is at. A mapping or list value has
     * already opened a context of its own, whose parent holds the field.
     */
    static JsonStreamContext holderOfCurrentValue(JsonParser parser) {
        JsonToken token = parser.currentToken();
        JsonStreamContext context = parser.getParsingContext();
        boolean opened = token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY;
        return opened && context != null ? context.getParent() : context;
    }

    /** The node a binding error's path leads to in the tree that was bound. */
    static JsonNode resolve(JsonNode root, List<Reference> references) {
        JsonNode node = root;
        for (Reference reference : references) {
            node =
                    reference.getFieldName() != null
                            ? node.path(reference.getFieldName())
                            : node.path(reference.getIndex());
        }
        return node == null ? MissingNode.getInstance() : node;
    }
}
