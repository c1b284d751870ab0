package org.concdvae.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An inert stand-in for an instance of a Python class that a checkpoint pickles but that the reader does not model
 * (omegaconf containers, argparse Namespace, Lightning AttributeDict and callbacks, ...). It only records what the
 * pickle says about the object: the class name, the constructor arguments, the {@code __setstate__} state and any
 * dict/list items. Nothing is ever executed. {@link PickleValues} turns it into plain maps afterwards.
 */
final class PickledObject {
    final String className;
    final List<Object> args;
    Object state;
    final LinkedHashMap<Object, Object> dictItems = new LinkedHashMap<>();
    final List<Object> listItems = new ArrayList<>();

    PickledObject(String className, List<Object> args) {
        this.className = className;
        this.args = args;
    }

    /** The instance attributes: the state when it is a dict, or the dict half of a {@code (dict, slots)} state. */
    @SuppressWarnings("unchecked")
    Map<Object, Object> stateDict() {
        if (state instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        if (state instanceof Object[] t && t.length == 2) {
            Map<Object, Object> out = new LinkedHashMap<>();
            if (t[0] instanceof Map<?, ?> a) out.putAll((Map<Object, Object>) a);
            if (t[1] instanceof Map<?, ?> b) out.putAll((Map<Object, Object>) b);
            return out;
        }
        return Map.of();
    }

    @Override
    public String toString() { return "<" + className + " object>"; }
}
