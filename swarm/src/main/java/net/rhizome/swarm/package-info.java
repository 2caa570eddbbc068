/** Rhizome swarm module. */
package net.rhizome.swarm;
